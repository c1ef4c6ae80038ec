import { describeWithContainers, mongoForSuite } from '../../../test/support/containers';
import { MemoryRateLimitStore, MongoRateLimitStore, RateLimit, RateLimitStore } from './rate-limit-store';

const MINUTE = 60_000;

/** The behaviour every rate-limit store has; `open` gives a store on empty state, `reopen` another on the same state (another instance). */
function rateLimitStoreContract(name: string, open: () => Promise<{ store: RateLimitStore; reopen?: () => Promise<RateLimitStore> }>) {
  describe(`${name} rate-limit store`, () => {
    // Near the real time: a store may expire what it holds by the clock (MongoDB's TTL index).
    const t0 = Date.now();
    const limit = (key: string, max = 3, windowMs = 15 * MINUTE): RateLimit => ({ key, max, windowMs });

    it('counts hits up to the limit, refuses the next, and says when the oldest leaves the window', async () => {
      const { store } = await open();
      const ip = limit('address:203.0.113.9');
      expect(await store.hit(ip, t0)).toEqual({ count: 1, counted: true, retryAfterMs: 0 });
      expect(await store.hit(ip, t0 + 1_000)).toEqual({ count: 2, counted: true, retryAfterMs: 0 });
      expect(await store.hit(ip, t0 + 2_000)).toEqual({ count: 3, counted: true, retryAfterMs: 15 * MINUTE - 2_000 });
      expect(await store.hit(ip, t0 + 3_000)).toEqual({ count: 3, counted: false, retryAfterMs: 15 * MINUTE - 3_000 });
      expect(await store.peek(ip, t0 + 3_000)).toEqual({ count: 3, retryAfterMs: 15 * MINUTE - 3_000 });
      await store.close();
    });

    it('slides: a hit stops counting once its window has passed, and a refused hit does not push the window', async () => {
      const { store } = await open();
      const ip = limit('address:198.51.100.7', 2, MINUTE);
      await store.hit(ip, t0);
      await store.hit(ip, t0 + 10_000);
      expect((await store.hit(ip, t0 + 30_000)).counted).toBe(false);
      expect(await store.peek(ip, t0 + MINUTE - 1)).toEqual({ count: 2, retryAfterMs: 1 });
      expect(await store.peek(ip, t0 + MINUTE)).toEqual({ count: 1, retryAfterMs: 0 });
      expect(await store.hit(ip, t0 + MINUTE)).toEqual({ count: 2, counted: true, retryAfterMs: 10_000 });
      await store.close();
    });

    it('counts nothing on a peek, keeps keys apart, and forgets a key on clear', async () => {
      const { store } = await open();
      expect(await store.peek(limit('k:a'), t0)).toEqual({ count: 0, retryAfterMs: 0 });
      await store.hit(limit('k:a'), t0);
      await store.hit(limit('k:a'), t0);
      await store.hit(limit('k:b'), t0);
      expect((await store.peek(limit('k:a'), t0)).count).toBe(2);
      expect((await store.peek(limit('k:b'), t0)).count).toBe(1);
      await store.clear('k:a');
      expect((await store.peek(limit('k:a'), t0)).count).toBe(0);
      expect((await store.peek(limit('k:b'), t0)).count).toBe(1);
      await store.clear('k:never-hit');
      await store.close();
    });

    it('counts exactly `max` of many hits racing for the last places', async () => {
      const { store, reopen } = await open();
      const other = reopen ? await reopen() : store; // another instance, where the store is shared
      const ip = limit('address:192.0.2.50', 10);
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? other : store).hit(ip, t0 + i)));
      expect(answers.filter((answer) => answer.counted)).toHaveLength(10);
      expect(await store.peek(ip, t0 + 100)).toMatchObject({ count: 10 });
      expect(await other.peek(ip, t0 + 100)).toMatchObject({ count: 10 });
      if (other !== store) await other.close();
      await store.close();
    });

    it('measures the wait from the oldest hit that counts, whatever order the hits arrived in (instances’ clocks differ)', async () => {
      const { store } = await open();
      const ip = limit('address:192.0.2.77', 2, MINUTE);
      await store.hit(ip, t0 + 5_000);
      await store.hit(ip, t0 + 1_000);
      expect(await store.peek(ip, t0 + 6_000)).toEqual({ count: 2, retryAfterMs: MINUTE - 5_000 });
      await store.close();
    });
  });
}

rateLimitStoreContract('In-memory', async () => ({ store: new MemoryRateLimitStore() }));

describeWithContainers('MongoDB rate-limit store (testcontainers)', () => {
  const mongo = mongoForSuite();
  let database = 0;

  rateLimitStoreContract('MongoDB', async () => {
    const name = `rate_limits_${++database}`;
    return { store: new MongoRateLimitStore(mongo.client(), name), reopen: async () => new MongoRateLimitStore(mongo.client(), name) };
  });

  it('deletes a key once its newest hit has left the window (TTL index), and keeps at most `max` hits', async () => {
    const name = `rate_limits_${++database}`;
    const store = new MongoRateLimitStore(mongo.client(), name);
    const now = Date.now();
    for (let i = 0; i < 5; i++) await store.hit({ key: 'address:203.0.113.1', max: 3, windowMs: MINUTE }, now + i);
    const collection = mongo.client().db(name).collection('rate_limits');
    const doc = await collection.findOne({ _id: 'address:203.0.113.1' as never });
    expect(doc?.hits).toEqual([now, now + 1, now + 2]);
    expect((doc?.expiresAt as Date).getTime()).toBe(now + 2 + MINUTE);
    const indexes = await collection.indexes();
    expect(indexes.find((index) => index.key.expiresAt === 1)).toMatchObject({ expireAfterSeconds: 0 });
  });
});
