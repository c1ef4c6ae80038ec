import { trimOldest } from './bounded-cache';
import { ANCHOR_EVENT_TYPE, eventHash, GENESIS_HASH, LogVerifier, logHashStep, StoredEvent } from './integrity';
import { anchorStreamName } from './verify-log';

/**
 * The verifier's window of recent log hashes (what an anchor may refer back to): anchors are
 * checked against it however long the log, as far back as the window reaches and no further.
 */
describe('LogVerifier: anchors against the window of recent log hashes', () => {
  const ANCHORS = anchorStreamName('00000000-0000-4000-8000-000000000000');

  /** A log as stored, built event by event: each one chained to its stream, anchors committing to the log so far. */
  class Log {
    readonly events: StoredEvent[] = [];
    private readonly heads = new Map<string, { revision: bigint; hash: string }>();
    private logHash = GENESIS_HASH;
    private readonly logHashes = new Map<bigint, string>();

    add(streamName: string, type = 'SomethingHappened', data = '{"n":1}'): StoredEvent {
      const head = this.heads.get(streamName);
      const streamRevision = head ? head.revision + 1n : 0n;
      const previousHash = head?.hash ?? GENESIS_HASH;
      const event = { position: BigInt(this.events.length + 1), streamName, streamRevision, id: `id-${this.events.length + 1}`, type, data, metadata: '{}', recordedAt: '2026-01-01T00:00:00.000Z', previousHash };
      const stored: StoredEvent = { ...event, hash: eventHash(previousHash, event) };
      this.heads.set(streamName, { revision: streamRevision, hash: stored.hash! });
      this.events.push(stored);
      this.logHash = logHashStep(this.logHash, stored.hash!);
      this.logHashes.set(stored.position, this.logHash);
      return stored;
    }

    anchor(upTo: bigint): StoredEvent {
      return this.add(ANCHORS, ANCHOR_EVENT_TYPE, JSON.stringify({ upTo: upTo.toString(), logHash: this.logHashes.get(upTo), events: Number(upTo) }));
    }
  }

  const verify = (log: Log, window: number) => {
    const verifier = new LogVerifier(true, window);
    for (const event of log.events) if (!verifier.add(event)) break;
    return verifier.result();
  };

  it('checks anchors far into a log many times longer than the window (the window wraps around)', () => {
    const log = new Log();
    for (let i = 1; i <= 100; i++) {
      log.add(`s-${i % 7}`);
      if (i % 9 === 0) log.anchor(log.events[log.events.length - 1].position - BigInt(i % 4));
    }
    expect(verify(log, 5)).toMatchObject({ ok: true, events: log.events.length, anchors: 11 });
  });

  it('finds an anchor that commits to another log than the one before it', () => {
    const log = new Log();
    for (let i = 0; i < 20; i++) log.add('s');
    const anchor = log.anchor(18n);
    const forged = JSON.stringify({ ...JSON.parse(anchor.data), upTo: '17' }); // the log hash of 18, said to be of 17
    const events = log.events.map((event) => (event === anchor ? { ...event, data: forged, hash: eventHash(event.previousHash!, { ...event, data: forged }) } : event));
    const verifier = new LogVerifier(true, 10);
    for (const event of events) if (!verifier.add(event)) break;
    expect(verifier.result()).toMatchObject({ ok: false, firstBroken: { position: anchor.position.toString(), reason: expect.stringContaining('is not the one this anchor committed to') } });
  });

  it('does not accept an anchor that refers further back than the window', () => {
    const log = new Log();
    for (let i = 0; i < 30; i++) log.add('s');
    const anchor = log.anchor(10n);
    expect(verify(log, 100)).toMatchObject({ ok: true, anchors: 1 });
    expect(verify(log, 8)).toMatchObject({ ok: false, firstBroken: { position: anchor.position.toString(), reason: expect.stringContaining('position 10, which is not in the log before it') } });
  });

  it('forgets what an anchor covered: a later anchor may not refer to a position before it', () => {
    const log = new Log();
    for (let i = 0; i < 10; i++) log.add('s');
    log.anchor(8n);
    log.add('s');
    const late = log.anchor(5n);
    expect(verify(log, 100)).toMatchObject({ ok: false, firstBroken: { position: late.position.toString(), reason: expect.stringContaining('position 5') } });
  });
});

describe('trimOldest', () => {
  it('keeps at most max entries, dropping the oldest tenth at once past it, the newest kept', () => {
    const map = new Map<number, number>();
    for (let i = 0; i < 1_000; i++) {
      map.set(i, i);
      trimOldest(map, 100);
      expect(map.size).toBeLessThanOrEqual(100);
    }
    expect(map.size).toBeGreaterThanOrEqual(90);
    expect(map.has(999)).toBe(true);
    expect([...map.keys()]).toEqual([...map.keys()].sort((a, b) => a - b));
    expect(Math.min(...map.keys())).toBe(1_000 - map.size);
  });
});
