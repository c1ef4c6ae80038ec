import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { nameBasedUuid } from '@app/domain';
export { storedEventOfLine } from '@app/event-store';
export type { ExportLine } from '@app/event-store';
import {
  ANCHOR_EVENT_TYPE,
  anchorStreamName,
  EventStore,
  LogAnchorer,
  LogVerifier,
  PersonalDataVault,
  StoredEvent,
  VerifyResult,
  ExportLine,
  ExportOptions,
  exportLineOf,
  EXPORT_CSV_COLUMNS,
  exportCsvRow,
  storedPages,
  verifyStoredLog,
  WrongExpectedRevisionError,
} from '@app/event-store';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { underLease } from '../reactors/under-lease';
import { LeasedTask, ReadStore } from '@app/projections';
import { OPERATOR_ORGANIZATION_ID } from '../auth/api-keys';

/** The stream of the log's anchors (one for the whole log). */
export const LOG_ANCHOR_STREAM = anchorStreamName(nameBasedUuid('log-anchors'));

/** Stream categories a subject id may name (`<category>-<id>`), for verifying one subject. */
const SUBJECT_CATEGORIES = ['contact', 'clientCompany', 'portalAccess', 'portal', 'timesheet', 'quote', 'invoice', 'shift', 'documentComments', 'documentViews', 'registration', 'organization'];

/**
 * The event log for auditors, read as stored: verification of the hash chain and anchors,
 * streamed exports (JSONL or CSV) that carry what an offline verify needs, and the reactor
 * that anchors the log every AUDIT_ANCHOR_INTERVAL_SECONDS.
 */
@Injectable()
export class AuditLog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditLog');
  private timer: NodeJS.Timeout | undefined;
  private lease: LeasedTask | undefined;
  private anchoring: Promise<unknown> | undefined;
  private readonly anchorer: LogAnchorer;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vault: PersonalDataVault,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {
    this.anchorer = new LogAnchorer(store, LOG_ANCHOR_STREAM);
  }

  async onApplicationBootstrap(): Promise<void> {
    const seconds = this.config.auditAnchorIntervalSeconds;
    if (!this.config.runReactors || seconds <= 0) return;
    // One instance anchors at a time (a lease): two anchoring at once would write twice the anchors.
    this.lease = underLease(this.readStore, this.config, 'log_anchor', {
      start: async () => {
        this.timer = setInterval(() => void this.anchorNow().catch((error: unknown) => this.logger.error(`Anchoring the log failed: ${String(error)}`)), seconds * 1000);
        this.timer.unref();
      },
      stop: async () => {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        await this.anchoring?.catch(() => undefined);
      },
    });
    await this.lease.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lease?.stop();
  }

  /** Writes an anchor over the log as it is now (nothing when only anchors were written since the last). */
  async anchorNow(): Promise<bigint | undefined> {
    const run = (async () => {
      const next = await this.anchorer.next();
      if (!next) return undefined;
      try {
        const result = await this.store.appendToStream(
          LOG_ANCHOR_STREAM,
          [
            {
              id: randomUUID(),
              type: ANCHOR_EVENT_TYPE,
              data: { ...next.data },
              metadata: {
                organizationId: OPERATOR_ORGANIZATION_ID,
                actor: { kind: 'system', id: 'log-anchor' },
                channel: 'system',
                correlationId: randomUUID(),
                causationId: randomUUID(),
                occurredAt: new Date().toISOString(),
                schemaVersion: 1,
              },
            },
          ],
          { expectedRevision: next.expectedRevision === -1n ? 'no_stream' : next.expectedRevision },
        );
        return result.position;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) return undefined; // another instance anchored meanwhile
        throw error;
      }
    })();
    this.anchoring = run;
    return run;
  }

  /**
   * Recomputes the whole log. Broken links in another organization's records are reported
   * without naming them (the log as a whole does not verify; which record is for its owner).
   */
  async verify(organizationId: string | undefined): Promise<VerifyResult> {
    const result = await verifyStoredLog(this.store);
    if (result.ok || organizationId === undefined || organizationId === OPERATOR_ORGANIZATION_ID) return result;
    const broken = result.firstBroken;
    const stored = await this.store.readStoredAll({ after: BigInt(broken.position) - 1n, maxCount: 1 }).catch(() => []);
    const owner = stored[0] && stored[0].position === BigInt(broken.position) ? organizationOf(stored[0]) : undefined;
    if (owner === organizationId || owner === undefined) return result;
    return { ok: false, events: result.events, firstBroken: { position: broken.position, streamName: '(another organization)', eventId: '', expected: null, found: null, reason: broken.reason } };
  }

  /** Verifies the streams of one subject (its own records): links and hashes. */
  async verifySubject(organizationId: string, subjectId: string): Promise<VerifyResult & { subjectId: string; streams: string[] }> {
    const verifier = new LogVerifier(false);
    const streams: string[] = [];
    for (const category of SUBJECT_CATEGORIES) {
      const streamName = `${category}-${subjectId}`;
      let fromRevision = 0n;
      let owned: boolean | undefined;
      for (;;) {
        const page = await this.store.readStoredStream(streamName, { fromRevision, maxCount: 1_000 });
        if (page.length === 0) break;
        owned ??= organizationOf(page[0]) === organizationId;
        if (!owned) break;
        if (fromRevision === 0n) streams.push(streamName);
        for (const event of page) if (!verifier.add(event)) return { ...verifier.result(), subjectId, streams };
        fromRevision = page[page.length - 1].streamRevision + 1n;
      }
    }
    return { ...verifier.result(), subjectId, streams };
  }

  /**
   * The log (or an organization's part of it) as export lines, a page at a time: memory does
   * not grow with the log.
   */
  async *lines(options: ExportOptions, onProgress?: (position: bigint) => void): AsyncGenerator<ExportLine> {
    for await (const page of storedPages(this.store)) {
      for (const event of page) {
        const line = await exportLineOf(event, options, this.vault);
        if (line) yield line;
      }
      onProgress?.(page[page.length - 1].position);
    }
  }

  /** A streamed export: a header line, one line per event, a summary line. */
  exportStream(format: 'jsonl' | 'csv', options: ExportOptions): Readable {
    const lines = this.lines(options);
    const complete = !options.organizationId && !options.from && !options.to && !options.subjectId;
    async function* render(): AsyncGenerator<string> {
      let count = 0;
      if (format === 'csv') {
        yield `${EXPORT_CSV_COLUMNS.join(',')}\n`;
        for await (const line of lines) {
          count += 1;
          yield `${exportCsvRow(line)}\n`;
        }
        return;
      }
      yield `${JSON.stringify({ export: { version: 1, complete, exportedAt: new Date().toISOString(), ...options } })}\n`;
      for await (const line of lines) {
        count += 1;
        yield `${JSON.stringify(line)}\n`;
      }
      yield `${JSON.stringify({ summary: { events: count } })}\n`;
    }
    return Readable.from(render(), { objectMode: false, highWaterMark: 64 * 1024 });
  }
}

function organizationOf(event: StoredEvent): string | undefined {
  try {
    const value = (JSON.parse(event.metadata) as { organizationId?: unknown }).organizationId;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
