import { EventStore } from './event-store';
import { ANCHOR_EVENT_TYPE, ANCHOR_STREAM_CATEGORY, AnchorData, GENESIS_HASH, LogVerifier, logHashStep, StoredEvent, VerifyResult } from './integrity';

export interface VerifyProgress {
  /** Events checked so far. */
  events: number;
  /** Position of the last event checked. */
  position: bigint;
}

/**
 * Recomputes the whole log's chain and anchors, a page at a time (constant memory): the
 * first broken link, or how many events verified.
 */
export async function verifyStoredLog(
  store: Pick<EventStore, 'readStoredAll'>,
  options: { pageSize?: number; onProgress?: (progress: VerifyProgress) => void; onEvent?: (event: StoredEvent) => void } = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 2_000;
  const verifier = new LogVerifier();
  let after = 0n;
  let checked = 0;
  for (;;) {
    const page = await store.readStoredAll({ after, maxCount: pageSize });
    for (const event of page) {
      options.onEvent?.(event);
      if (!verifier.add(event)) return verifier.result();
      checked += 1;
    }
    if (page.length === 0) break;
    after = page[page.length - 1].position;
    options.onProgress?.({ events: checked, position: after });
    if (page.length < pageSize) break;
  }
  return verifier.result();
}

/** The name of the stream that holds the log's anchors. */
export function anchorStreamName(id: string): string {
  return `${ANCHOR_STREAM_CATEGORY}-${id}`;
}

/**
 * Follows the log and tells what the next anchor commits to: the log hash over every event up
 * to the last one read. Starts from the last anchor of its stream (whose log hash covers
 * everything up to its upTo) and reads on from there, a page at a time.
 */
export class LogAnchorer {
  private logHash = GENESIS_HASH;
  private upTo = 0n;
  private events = 0;

  constructor(
    private readonly store: Pick<EventStore, 'readStoredAll' | 'readStream'>,
    private readonly streamName: string,
  ) {}

  /** The anchor to write now, or undefined when nothing but anchors was written since the last one. */
  async next(): Promise<{ data: AnchorData; expectedRevision: bigint } | undefined> {
    const { events: anchors, revision } = await this.store.readStream(this.streamName, revision0(this.lastRevision));
    if (anchors.length) this.lastRevision = anchors[anchors.length - 1].streamRevision;
    const last = anchors[anchors.length - 1]?.data as unknown as AnchorData | undefined;
    if (last && BigInt(last.upTo) > this.upTo) {
      // Another instance anchored further: go on from its anchor.
      this.logHash = last.logHash;
      this.upTo = BigInt(last.upTo);
      this.events = last.events;
    }
    let news = false;
    for (;;) {
      const page = await this.store.readStoredAll({ after: this.upTo, maxCount: 2_000 });
      for (const event of page) {
        if (!event.hash) continue; // not chained: verify reports it
        this.logHash = logHashStep(this.logHash, event.hash);
        this.upTo = event.position;
        this.events += 1;
        if (!isAnchor(event)) news = true;
      }
      if (page.length < 2_000) break;
    }
    if (!news) return undefined;
    return { data: { upTo: this.upTo.toString(), logHash: this.logHash, events: this.events }, expectedRevision: revision };
  }

  private lastRevision = -1n;
}

function revision0(lastRevision: bigint): { fromRevision?: bigint } {
  return lastRevision >= 0n ? { fromRevision: lastRevision } : {};
}

/** Whether a stored event is an anchor. */
export function isAnchor(event: { type: string; streamName: string }): boolean {
  return event.type === ANCHOR_EVENT_TYPE && event.streamName.startsWith(`${ANCHOR_STREAM_CATEGORY}-`);
}
