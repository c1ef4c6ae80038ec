import { createHash } from 'node:crypto';
import type { RecordedEvent } from './event-store';

/**
 * Tamper evidence for the event log.
 *
 * Every stored event carries a hash chained to the previous event of its stream:
 *   hash = SHA-256(JSON [previousHash, streamName, revision, id, type, data, metadata])
 * over the data and metadata exactly as stored (ciphertext where personal data is encrypted),
 * so an altered byte, a removed or swapped event breaks the chain from that event on. Per
 * stream, so that EventStoreDB (whose global order is known only after the append) can
 * compute it at append time.
 *
 * The global log is anchored: an anchor event (`LogAnchored`, stream `logAnchor-...`) commits
 * to a hash over every event's hash in position order up to a position. Removing or inserting
 * an event anywhere before an anchor (the last event of a stream included, which no per-stream
 * link can notice) changes that hash.
 */

/** The "previous hash" of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** An event as its store keeps it: data and metadata as the stored text. */
export interface StoredEvent {
  position: bigint;
  streamName: string;
  streamRevision: bigint;
  id: string;
  type: string;
  /** The stored JSON text of the data (personal fields encrypted). */
  data: string;
  /** The stored JSON text of the metadata (without the chain itself). */
  metadata: string;
  recordedAt: string;
  /** The chain hash stored with the event; null when the store has none for it. */
  hash: string | null;
  /**
   * The hash the store holds for the previous event of the stream (GENESIS_HASH for a first
   * event); null when that event is missing.
   */
  previousHash: string | null;
}

/** A recorded event as a store keeps it (data and metadata as JSON text), with the hash it holds for the event before it. */
export function storedEventOf(event: RecordedEvent, previousHash: string | null): StoredEvent {
  return {
    position: event.position,
    streamName: event.streamName,
    streamRevision: event.streamRevision,
    id: event.id,
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify(event.metadata),
    recordedAt: event.recordedAt,
    hash: event.hash ?? null,
    previousHash,
  };
}

export function eventHash(
  previousHash: string,
  event: { streamName: string; streamRevision: bigint; id: string; type: string; data: string; metadata: string },
): string {
  return createHash('sha256')
    .update(JSON.stringify([previousHash, event.streamName, event.streamRevision.toString(), event.id, event.type, event.data, event.metadata]))
    .digest('hex');
}

/** The running hash over the log: one step per event, in position order. */
export function logHashStep(previous: string, eventHashValue: string): string {
  return createHash('sha256').update(previous).update(eventHashValue).digest('hex');
}

export const ANCHOR_EVENT_TYPE = 'LogAnchored';
export const ANCHOR_STREAM_CATEGORY = 'logAnchor';

/** What an anchor event's data says: the log hash over every event up to and including `upTo`. */
export interface AnchorData {
  upTo: string;
  logHash: string;
  /** How many events the hash covers. */
  events: number;
}

export interface BrokenLink {
  position: string;
  streamName: string;
  eventId: string;
  /** What the stored events say this link must be (recomputed). */
  expected: string | null;
  /** What is stored. */
  found: string | null;
  reason: string;
}

export type VerifyResult = { ok: true; events: number; anchors: number; lastAnchor: AnchorData | null } | { ok: false; events: number; firstBroken: BrokenLink };

/** The events an anchor may refer back to, at most (anchors are written right after their upTo). */
const ANCHOR_WINDOW = 100_000;

/**
 * Checks a log (or an export of it) event by event, in position order, in constant memory
 * (besides a window of recent log hashes for the anchors). Each event's hash is recomputed
 * from the previous event's stored hash and its own stored text; a stream whose next event
 * does not link to the stored previous one, an event without a hash, and an anchor whose log
 * hash differs are broken links. The first one found is the answer.
 */
export class LogVerifier {
  private events = 0;
  private anchors = 0;
  private lastAnchor: AnchorData | null = null;
  private logHash = GENESIS_HASH;
  private lastPosition = 0n;
  private broken: BrokenLink | undefined;
  /** Log hash after each recent position: an anchor names one of them. */
  private readonly recent: RecentLogHashes;

  /**
   * @param checkLog false for an extract (a time range, one subject): links and hashes are
   * checked, the global log hash and anchors cannot be.
   * @param anchorWindow how many events back an anchor may refer, at most.
   */
  constructor(
    private readonly checkLog = true,
    anchorWindow = ANCHOR_WINDOW,
  ) {
    this.recent = new RecentLogHashes(checkLog ? anchorWindow : 0);
  }

  /** Feeds the next stored event; false once a broken link was found (stop feeding). */
  add(event: StoredEvent, parsedAnchor?: () => AnchorData | undefined): boolean {
    if (this.broken) return false;
    const at = (reason: string, expected: string | null, found: string | null): false => {
      this.broken = { position: event.position.toString(), streamName: event.streamName, eventId: event.id, expected, found, reason };
      return false;
    };
    if (this.checkLog && event.position <= this.lastPosition) return at('positions are not increasing', `> ${this.lastPosition}`, event.position.toString());
    this.lastPosition = event.position;
    if (event.previousHash === null) return at(`the previous event of the stream (revision ${event.streamRevision - 1n}) is missing`, 'an event', null);
    if (event.streamRevision === 0n && event.previousHash !== GENESIS_HASH) return at('a first event is chained to something', GENESIS_HASH, event.previousHash);
    const expected = eventHash(event.previousHash, event);
    if (event.hash !== expected) return at(event.hash === null ? 'the event has no hash' : 'the stored event does not match its hash', expected, event.hash);
    this.events += 1;
    if (!this.checkLog) return true;

    if (event.type === ANCHOR_EVENT_TYPE && event.streamName.startsWith(`${ANCHOR_STREAM_CATEGORY}-`)) {
      const anchor = parsedAnchor ? parsedAnchor() : parseAnchor(event.data);
      if (!anchor) return at('an anchor that does not parse', 'an anchor', event.data.slice(0, 200));
      const upTo = BigInt(anchor.upTo);
      const expectedLogHash = upTo === 0n ? GENESIS_HASH : this.recent.get(upTo);
      if (expectedLogHash === undefined) return at(`the anchor refers to position ${anchor.upTo}, which is not in the log before it`, 'a position of the log', anchor.upTo);
      if (expectedLogHash !== anchor.logHash) {
        return at(`the log up to position ${anchor.upTo} is not the one this anchor committed to (an event was removed, inserted or moved)`, expectedLogHash, anchor.logHash);
      }
      this.anchors += 1;
      this.lastAnchor = anchor;
      // Older positions cannot be named by a later anchor (anchors only move forward).
      this.recent.dropBefore(upTo);
    }
    this.logHash = logHashStep(this.logHash, event.hash);
    this.recent.push(event.position, this.logHash);
    return true;
  }

  /** A problem found outside the chain (an event that cannot be read at all). */
  fail(link: BrokenLink): void {
    this.broken ??= link;
  }

  result(): VerifyResult {
    if (this.broken) return { ok: false, events: this.events, firstBroken: this.broken };
    return { ok: true, events: this.events, anchors: this.anchors, lastAnchor: this.lastAnchor };
  }

  /** The log hash over every event fed so far (what the next anchor commits to). */
  currentLogHash(): string {
    return this.logHash;
  }
}

/**
 * The log hash after each of the last `capacity` positions, in a ring (positions increase):
 * constant time to add, a binary search to find, and the hashes kept as bytes in one buffer,
 * outside the garbage-collected heap. (A Map of strings whose oldest key is deleted at every
 * add slowed verify down tenfold past 100,000 events, and its strings filled the old space.)
 */
class RecentLogHashes {
  private readonly positions: BigUint64Array;
  private readonly hashes: Buffer;
  /** Index of the oldest entry, and how many there are. */
  private start = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.positions = new BigUint64Array(capacity);
    this.hashes = Buffer.alloc(capacity * HASH_BYTES);
  }

  /** Adds the log hash (64 hex digits) after `position`, forgetting the oldest when full. */
  push(position: bigint, hash: string): void {
    if (this.capacity === 0) return;
    if (this.size === this.capacity) this.dropOldest(1);
    const slot = (this.start + this.size) % this.capacity;
    this.positions[slot] = position;
    this.hashes.write(hash, slot * HASH_BYTES, HASH_BYTES, 'hex');
    this.size += 1;
  }

  get(position: bigint): string | undefined {
    const rank = this.firstAtOrAfter(position);
    if (rank === this.size) return undefined;
    const slot = (this.start + rank) % this.capacity;
    return this.positions[slot] === position ? this.hashes.toString('hex', slot * HASH_BYTES, (slot + 1) * HASH_BYTES) : undefined;
  }

  /** Forgets every position before `position`. */
  dropBefore(position: bigint): void {
    this.dropOldest(this.firstAtOrAfter(position));
  }

  private dropOldest(count: number): void {
    if (count === 0) return;
    this.start = (this.start + count) % this.capacity;
    this.size -= count;
  }

  /** The rank (0 = oldest) of the first entry at or after `position`; size when there is none. */
  private firstAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.positions[(this.start + middle) % this.capacity] < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** A SHA-256 hash, in bytes. */
const HASH_BYTES = 32;

function parseAnchor(data: string): AnchorData | undefined {
  try {
    const value = JSON.parse(data) as Partial<AnchorData>;
    if (typeof value.upTo === 'string' && /^\d+$/.test(value.upTo) && typeof value.logHash === 'string' && typeof value.events === 'number') {
      return { upTo: value.upTo, logHash: value.logHash, events: value.events };
    }
  } catch {
    // reported by the caller
  }
  return undefined;
}
