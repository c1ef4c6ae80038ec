import { ProjectionRunner } from './projection-runner';
import { ProjectionWaiter } from './projection-waiter';
import { ReadStore } from './read-store';

/** Checkpoints in memory, counting the reads. */
function checkpointStore(names: string[]) {
  const checkpoints = new Map<string, bigint>(names.map((name) => [name, 0n]));
  let reads = 0;
  const store = {
    getCheckpoint: async (name: string) => {
      reads += 1;
      return checkpoints.get(name);
    },
  } as unknown as ReadStore;
  return {
    store,
    reads: () => reads,
    advance: (position: bigint) => names.forEach((name) => checkpoints.set(name, position)),
    set: (name: string, position: bigint) => checkpoints.set(name, position),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ProjectionWaiter polling the read store (projections in another process)', () => {
  const names = ['a_v1', 'b_v1', 'c_v1'];

  it('polls once per interval for the whole process, however many requests wait', async () => {
    const checkpoints = checkpointStore(names);
    const waiter = new ProjectionWaiter(checkpoints.store, names, undefined, 25);
    const started = Date.now();

    const waits = Array.from({ length: 200 }, (_, i) => waiter.waitFor(BigInt(1 + (i % 4)), 5_000));
    await sleep(200);
    checkpoints.advance(4n);
    const results = await Promise.all(waits);
    const elapsed = Date.now() - started;

    expect(results.every(Boolean)).toBe(true);
    // One read of each checkpoint per poll (200 waiters polling alone would be 200 times more).
    expect(checkpoints.reads()).toBeLessThanOrEqual((Math.ceil(elapsed / 25) + 2) * names.length);
  });

  it('releases each waiter once the slowest projection reaches its position', async () => {
    const checkpoints = checkpointStore(names);
    const waiter = new ProjectionWaiter(checkpoints.store, names, undefined, 5);
    const settled: bigint[] = [];
    const waits = [3n, 5n, 9n].map((position) => waiter.waitFor(position, 5_000).then((reached) => reached && settled.push(position)));

    checkpoints.advance(6n);
    checkpoints.set('b_v1', 4n);
    await sleep(50);
    expect(settled).toEqual([3n]);
    checkpoints.set('b_v1', 6n);
    await sleep(50);
    expect(settled).toEqual([3n, 5n]);
    checkpoints.advance(9n);
    await Promise.all(waits);
    expect(settled).toEqual([3n, 5n, 9n]);
  });

  it('answers false when the timeout passes first, and stops reading once nobody waits', async () => {
    const checkpoints = checkpointStore(names);
    const waiter = new ProjectionWaiter(checkpoints.store, names, undefined, 5);

    expect(await waiter.waitFor(7n, 40)).toBe(false);
    const reads = checkpoints.reads();
    await sleep(50);
    expect(checkpoints.reads()).toBe(reads);
  });

  it('answers at once for position 0 and, without a read, for what it read a moment ago', async () => {
    const checkpoints = checkpointStore(names);
    checkpoints.advance(5n);
    const waiter = new ProjectionWaiter(checkpoints.store, names, undefined, 1_000);
    expect(await waiter.waitFor(0n, 10)).toBe(true);
    expect(await waiter.waitFor(5n, 1_000)).toBe(true);
    const reads = checkpoints.reads();
    expect(await waiter.waitFor(4n, 1_000)).toBe(true);
    expect(checkpoints.reads()).toBe(reads);
  });

  it('keeps waiting (then times out) while the store cannot be read', async () => {
    const failing = { getCheckpoint: async () => Promise.reject(new Error('down')) } as unknown as ReadStore;
    const waiter = new ProjectionWaiter(failing, names, undefined, 5);
    expect(await waiter.waitFor(1n, 30)).toBe(false);
  });
});

describe('ProjectionWaiter with the runner in this process', () => {
  it('is told of progress by the runner, without reading the store', async () => {
    const checkpoints = checkpointStore(['a_v1']);
    let lowest: bigint | undefined = 1n;
    const listeners = new Set<() => void>();
    const runner = {
      lowestPosition: () => lowest,
      onProgress: (listener: () => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    } as unknown as ProjectionRunner;
    const waiter = new ProjectionWaiter(checkpoints.store, ['a_v1'], runner);

    expect(await waiter.waitFor(1n, 10)).toBe(true);
    const waits = [waiter.waitFor(2n, 5_000), waiter.waitFor(3n, 5_000)];
    await sleep(5);
    lowest = 3n;
    listeners.forEach((listener) => listener());

    expect(await Promise.all(waits)).toEqual([true, true]);
    expect(checkpoints.reads()).toBe(0);
    expect(listeners.size).toBe(0);
  });
});
