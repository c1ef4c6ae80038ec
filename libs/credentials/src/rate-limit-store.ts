import { Collection, MongoClient, MongoServerError } from 'mongodb';

/** At most `max` hits within the last `windowMs` for `key` (a sliding window). */
export interface RateLimit {
  key: string;
  max: number;
  windowMs: number;
}

/** What a key's window holds at a moment. */
export interface RateLimitWindow {
  /** Hits within the window. */
  count: number;
  /** With the window full (`count >= max`): milliseconds until the oldest hit that counts leaves it; else 0. */
  retryAfterMs: number;
}

/**
 * The hits rate limits count (failed sign-ins, registrations, ... per account or client
 * address), where every instance of the service sees the same counts: in this process's
 * memory on the embedded default (one instance), in MongoDB where `MONGO_URL` is set, so that
 * several API instances behind a load balancer share them.
 */
export interface RateLimitStore {
  /**
   * Counts a hit at `now` unless the window already holds `max` hits, and answers the window
   * after it. Atomic: of callers racing for the last place, in any process, exactly one is
   * counted.
   */
  hit(limit: RateLimit, now: number): Promise<RateLimitWindow & { counted: boolean }>;
  /** The window as it is, counting nothing. */
  peek(limit: RateLimit, now: number): Promise<RateLimitWindow>;
  /** Forgets the key's hits. */
  clear(key: string): Promise<void>;
  close(): Promise<void>;
}

/** The window of `limit` at `now` from the times of its hits (ms since the epoch, any order). */
export function windowOf(hits: readonly number[], limit: RateLimit, now: number): RateLimitWindow {
  const recent = hits.filter((at) => at > now - limit.windowMs).sort((a, b) => a - b);
  const full = recent.length >= limit.max;
  return { count: recent.length, retryAfterMs: full && recent.length > 0 ? recent[recent.length - limit.max] + limit.windowMs - now : 0 };
}

/** Keys are forgotten once this many are held and their hits have left their windows. */
const SWEEP_ABOVE_KEYS = 100_000;

/** The embedded default: one process, so its memory is where every hit is seen. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { hits: number[]; windowMs: number }>();

  async hit(limit: RateLimit, now: number): Promise<RateLimitWindow & { counted: boolean }> {
    const hits = (this.windows.get(limit.key)?.hits ?? []).filter((at) => at > now - limit.windowMs);
    const counted = hits.length < limit.max;
    if (counted) hits.push(now);
    this.windows.set(limit.key, { hits, windowMs: limit.windowMs });
    if (this.windows.size > SWEEP_ABOVE_KEYS) this.sweep(now);
    return { ...windowOf(hits, limit, now), counted };
  }

  async peek(limit: RateLimit, now: number): Promise<RateLimitWindow> {
    return windowOf(this.windows.get(limit.key)?.hits ?? [], limit, now);
  }

  async clear(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async close(): Promise<void> {
    this.windows.clear();
  }

  private sweep(now: number): void {
    for (const [key, { hits, windowMs }] of this.windows) if (!hits.some((at) => at > now - windowMs)) this.windows.delete(key);
  }
}

interface RateLimitDocument {
  _id: string;
  /** Times of the hits within the window (ms since the epoch): at most `max` of them. */
  hits: number[];
  /** Whether the last hit was counted (read back by the hit that wrote it, in the same atomic update). */
  counted: boolean;
  /** When the newest hit leaves the window: a TTL index deletes the document then. */
  expiresAt: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * Shared by every API instance on one MongoDB: a document per key holding the times of the
 * hits in its window; a hit is one `findOneAndUpdate` (an update pipeline, upserting) that
 * drops the hits that left the window, appends this one if there is room and says whether it
 * did, so that instances racing for the last place cannot both take it. A TTL index deletes a
 * key's document once its newest hit has left the window.
 */
export class MongoRateLimitStore implements RateLimitStore {
  private readonly collection: Collection<RateLimitDocument>;
  private ttlIndex: Promise<unknown> | undefined;

  constructor(
    private readonly client: MongoClient,
    databaseName: string,
    private readonly ownsClient = false,
  ) {
    this.collection = client.db(databaseName).collection<RateLimitDocument>('rate_limits');
  }

  async hit(limit: RateLimit, now: number): Promise<RateLimitWindow & { counted: boolean }> {
    await this.ensureTtlIndex();
    const recent = { $filter: { input: { $ifNull: ['$hits', []] }, as: 'at', cond: { $gt: ['$$at', now - limit.windowMs] } } };
    const update = [
      { $set: { hits: recent } },
      { $set: { counted: { $lt: [{ $size: '$hits' }, limit.max] } } },
      { $set: { hits: { $cond: ['$counted', { $concatArrays: ['$hits', [now]] }, '$hits'] } } },
      { $set: { expiresAt: { $toDate: { $add: [{ $max: '$hits' }, limit.windowMs] } } } },
    ];
    let doc: RateLimitDocument | null = null;
    for (let attempt = 1; ; attempt++) {
      try {
        doc = await this.collection.findOneAndUpdate({ _id: limit.key }, update, { upsert: true, returnDocument: 'after' });
        break;
      } catch (error) {
        // Two first hits of a key upserting at once: the loser finds the winner's document on a retry.
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY) || attempt === 3) throw error;
      }
    }
    return { ...windowOf(doc?.hits ?? [], limit, now), counted: doc?.counted === true };
  }

  async peek(limit: RateLimit, now: number): Promise<RateLimitWindow> {
    const doc = await this.collection.findOne({ _id: limit.key });
    return windowOf(doc?.hits ?? [], limit, now);
  }

  async clear(key: string): Promise<void> {
    await this.collection.deleteOne({ _id: key });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  private async ensureTtlIndex(): Promise<void> {
    this.ttlIndex ??= this.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }).catch((error: unknown) => {
      this.ttlIndex = undefined; // tried again on the next hit
      throw error;
    });
    await this.ttlIndex;
  }
}
