import { EventStore } from './event-store';
import { ANCHOR_EVENT_TYPE, ANCHOR_STREAM_CATEGORY, AnchorData, GENESIS_HASH, LogVerifier, logHashStep, StoredEvent, VerifyResult } from './integrity';

export interface VerifyProgress {
  /** Events checked so far. */
  events: number;
  /** Position of the last event checked. */
  position: bigint;
}

/**
 * Events read per page when the stored log is read from end to end: about half a megabyte of
 * stored text, so that a page and what is made of it are soon garbage, and enough events that
 * the cost of a query does not show.
 */
export const STORED_PAGE_SIZE = 500;

/** The stored log after a position (0: from the start), oldest first, a page at a time: memory holds one page. */
export async function* storedPages(store: Pick<EventStore, 'readStoredAll'>, options: { after?: bigint; pageSize?: number } = {}): AsyncGenerator<StoredEvent[]> {
  const pageSize = options.pageSize ?? STORED_PAGE_SIZE;
  let after = options.after ?? 0n;
  for (;;) {
    const page = await store.readStoredAll({ after, maxCount: pageSize });
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].position;
  }
}

/**
 * Recomputes the whole log's chain and anchors, a page at a time (constant memory): the
 * first broken link, or how many events verified.
 */
export async function verifyStoredLog(
  store: Pick<EventStore, 'readStoredAll'>,
  options: { pageSize?: number; onProgress?: (progress: VerifyProgress) => void; onEvent?: (event: StoredEvent) => void } = {},
): Promise<VerifyResult> {
  const verifier = new LogVerifier();
  let checked = 0;
  for await (const page of storedPages(store, { pageSize: options.pageSize })) {
    for (const event of page) {
      options.onEvent?.(event);
      if (!verifier.add(event)) return verifier.result();
      checked += 1;
    }
    options.onProgress?.({ events: checked, position: page[page.length - 1].position });
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
    for await (const page of storedPages(this.store, { after: this.upTo })) {
      for (const event of page) {
        if (!event.hash) continue; // not chained: verify reports it
        this.logHash = logHashStep(this.logHash, event.hash);
        this.upTo = event.position;
        this.events += 1;
        if (!isAnchor(event)) news = true;
      }
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
