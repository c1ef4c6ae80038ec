/**
 * The auditors' command line: `npm run audit -- <command>`, configured by the service's own
 * variables (DATA_DIR for the embedded store, EVENTSTORE_URL for EventStoreDB, MONGO_URL for
 * the keys of personal data), working while the service runs or is stopped. Machine-readable
 * output on stdout, a progress bar on stderr, exit codes: 0 verified (or done), 1 broken, 2 usage.
 *
 * Relative imports only: it also runs from the TypeScript sources (scripts/audit.js).
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { SingleBar } from 'cli-progress';
import { createKeyValueStore } from '../../../../libs/credentials/src/index';
import { PERSONAL_DATA_FIELDS } from '../../../../libs/domain/src/personal-data';
import { clientCompany } from '../../../../libs/domain/src/client-company';
import { contact } from '../../../../libs/domain/src/contact';
import { portalAccess } from '../../../../libs/domain/src/portal-access';
import { portal } from '../../../../libs/domain/src/portal';
import { timesheet } from '../../../../libs/domain/src/timesheet';
import { quote } from '../../../../libs/domain/src/quote';
import { invoice } from '../../../../libs/domain/src/invoice';
import {
  createEventStore,
  EventStore,
  EXPORT_CSV_COLUMNS,
  exportCsvRow,
  ExportLine,
  exportLineOf,
  LogVerifier,
  PersonalDataEventStore,
  PersonalDataVault,
  RecordedEvent,
  storedEventOfLine,
  storedPages,
  VerifyResult,
  verifyStoredLog,
} from '../../../../libs/event-store/src/index';

const USAGE = `Usage: npm run audit -- <command>
  replay <subjectId> [--json]          the subject's history as a timeline
  as-of <subjectId> <ISO time|position> the subject's state then, folded from its events
  export [--format jsonl|csv] [--from <ISO>] [--to <ISO>] [--subject <id>]   the log, streamed to stdout
  verify [--file <export.jsonl>]        recompute the hash chain and anchors (of the store, or of an export file)
Environment: DATA_DIR (embedded store, default ./data), EVENTSTORE_URL, MONGO_URL.
Exit codes: 0 verified/done, 1 broken, 2 usage.`;

const FOLDABLE: Record<string, { initialState(): unknown; evolve(state: never, event: never): unknown }> = {
  contact,
  clientCompany,
  portalAccess,
  portal,
  timesheet,
  quote,
  invoice,
};

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, flags } = parseArgs(rest);
  if (!command || command === 'help' || flags.help) throw new UsageError('');
  const dataDir = process.env.DATA_DIR || './data';
  const keys = await createKeyValueStore({ mongoUrl: process.env.MONGO_URL || undefined, dataDir });
  const personalData = { fields: PERSONAL_DATA_FIELDS, keyValueStore: keys };
  // The log is read once from end to end: a small page cache does (the system's file cache serves the rest).
  const sqlite = { readCacheKiB: 4_096 };
  const store = command === 'verify' && flags.file ? undefined : ((await createEventStore({ eventStoreUrl: process.env.EVENTSTORE_URL || undefined, dataDir, personalData, sqlite })) as PersonalDataEventStore);
  const vault = store?.vault ?? new PersonalDataVault(keys, PERSONAL_DATA_FIELDS);
  try {
    switch (command) {
      case 'replay':
        if (positional.length !== 1) throw new UsageError('replay needs a subject id');
        return await replay(store!, positional[0].toLowerCase(), flags.json === true);
      case 'as-of':
        if (positional.length !== 2) throw new UsageError('as-of needs a subject id and a time (or position)');
        return await asOf(store!, positional[0].toLowerCase(), positional[1]);
      case 'export':
        return await exportLog(store!, vault, flags);
      case 'verify':
        return typeof flags.file === 'string' ? await verifyFile(flags.file) : await verifyStore(store!);
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } finally {
    await store?.close();
    await keys.close();
  }
}

async function subjectEvents(store: EventStore, subjectId: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (const category of [...Object.keys(FOLDABLE), 'shift', 'documentComments', 'documentViews', 'registration', 'organization']) {
    events.push(...(await store.readStream(`${category}-${subjectId}`)).events);
  }
  return events.sort((a, b) => (a.position < b.position ? -1 : 1));
}

async function replay(store: EventStore, subjectId: string, json: boolean): Promise<number> {
  const events = await subjectEvents(store, subjectId);
  for (const event of events) {
    const m = event.metadata;
    if (json) {
      write(JSON.stringify({ position: event.position.toString(), occurredAt: m.occurredAt, type: event.type, streamName: event.streamName, actor: m.actor, onBehalfOf: m.onBehalfOf ?? null, channel: m.channel, data: event.data }));
    } else {
      const behalf = m.onBehalfOf ? ` on behalf of ${m.onBehalfOf.kind}:${m.onBehalfOf.id}` : '';
      write(`#${event.position} ${m.occurredAt} ${event.type} by ${m.actor.kind}:${m.actor.id}${behalf} via ${m.channel} ${JSON.stringify(event.data)}`);
    }
  }
  return events.length ? 0 : 1;
}

async function asOf(store: EventStore, subjectId: string, moment: string): Promise<number> {
  const position = /^\d+$/.test(moment) ? BigInt(moment) : undefined;
  const time = position === undefined ? new Date(moment) : undefined;
  if (time && Number.isNaN(time.getTime())) throw new UsageError(`not a time or a position: ${moment}`);
  const answers = [];
  for (const [category, decider] of Object.entries(FOLDABLE)) {
    const { events } = await store.readStream(`${category}-${subjectId}`);
    const upTo = events.filter((e) => (position !== undefined ? e.position <= position : e.metadata.occurredAt <= time!.toISOString()));
    if (!upTo.length) continue;
    let state = decider.initialState();
    for (const event of upTo) state = (decider.evolve as (s: unknown, e: unknown) => unknown)(state, { type: event.type, data: event.data });
    answers.push({ streamName: `${category}-${subjectId}`, state, events: upTo.map((e) => ({ position: e.position.toString(), type: e.type, occurredAt: e.metadata.occurredAt, actor: e.metadata.actor, onBehalfOf: e.metadata.onBehalfOf ?? null, channel: e.metadata.channel })) });
  }
  write(JSON.stringify({ subjectId, asOf: time?.toISOString() ?? null, asOfPosition: position?.toString() ?? null, streams: answers }, null, 2));
  return answers.length ? 0 : 1;
}

async function exportLog(store: EventStore, vault: PersonalDataVault, flags: Record<string, string | true>): Promise<number> {
  const format = flags.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format is jsonl or csv');
  const options = { from: str(flags.from), to: str(flags.to), subjectId: str(flags.subject)?.toLowerCase() ?? null };
  const bar = progress(await store.headPosition());
  const stdout = new Output(process.stdout);
  let count = 0;
  if (format === 'csv') stdout.add(`${EXPORT_CSV_COLUMNS.join(',')}\n`);
  else stdout.add(`${JSON.stringify({ export: { version: 1, complete: !options.from && !options.to && !options.subjectId, exportedAt: new Date().toISOString(), ...options } })}\n`);
  for await (const page of storedPages(store)) {
    for (const event of page) {
      const line: ExportLine | undefined = await exportLineOf(event, options, vault);
      if (!line) continue;
      count += 1;
      stdout.add(format === 'csv' ? `${exportCsvRow(line)}\n` : `${JSON.stringify(line)}\n`);
      if (stdout.full) await stdout.flush();
    }
    bar.update(Number(page[page.length - 1].position));
  }
  bar.stop();
  if (format === 'jsonl') stdout.add(`${JSON.stringify({ summary: { events: count } })}\n`);
  await stdout.flush();
  return 0;
}

async function verifyStore(store: EventStore): Promise<number> {
  const bar = progress(await store.headPosition());
  const result = await verifyStoredLog(store, { onProgress: ({ position }) => bar.update(Number(position)) });
  bar.stop();
  return report(result);
}

/** An export file alone: links and hashes; the log hash and anchors too when the export is complete. */
async function verifyFile(file: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let verifier: LogVerifier | undefined;
  for await (const text of lines) {
    if (!text.trim()) continue;
    const value = JSON.parse(text) as { export?: { complete?: boolean }; summary?: unknown } & ExportLine;
    if (value.export) {
      verifier = new LogVerifier(value.export.complete === true);
      continue;
    }
    if (value.summary) break;
    verifier ??= new LogVerifier(false);
    if (!verifier.add(storedEventOfLine(value))) break;
  }
  if (!verifier) throw new UsageError(`${file} is not an export (JSONL) of this service`);
  return report(verifier.result());
}

function report(result: VerifyResult): number {
  write(JSON.stringify(result));
  return result.ok ? 0 : 1;
}

function progress(total: bigint): { update(value: number): void; stop(): void } {
  const bar = new SingleBar({ stream: process.stderr, format: 'audit [{bar}] {percentage}% | position {value}/{total} | {rate} events/s | {eta_formatted} left', etaBuffer: 50, fps: 5, hideCursor: true });
  const started = Date.now();
  bar.start(Number(total), 0, { rate: 0 });
  return {
    update: (value) => bar.update(value, { rate: Math.round(value / Math.max(0.001, (Date.now() - started) / 1000)) }),
    stop: () => {
      bar.stop();
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(`audit: ${Number(total)} positions in ${seconds.toFixed(1)} s (${Math.round(Number(total) / Math.max(seconds, 0.001))} events/s)\n`);
    },
  };
}

function parseArgs(args: string[]): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--')) {
      const name = arg.slice(2);
      const next = args[i + 1];
      if (['json', 'help'].includes(name) || next === undefined || next.startsWith('--')) flags[name] = true;
      else flags[name] = args[++i];
    } else positional.push(arg);
  }
  return { positional, flags };
}

function str(value: string | true | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Lines gathered into chunks of about 64 KiB, each written once, waiting for the reader when
 * the stream is full (a pipe to a slow reader): memory stays flat. A write error (the reader
 * went away) stops the export at the next flush.
 */
class Output {
  private chunk = '';
  private failed: Error | undefined;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (error: Error) => (this.failed ??= error));
  }

  add(text: string): void {
    this.chunk += text;
  }

  get full(): boolean {
    return this.chunk.length >= 64 * 1024;
  }

  async flush(): Promise<void> {
    const text = this.chunk;
    this.chunk = '';
    if (this.failed) throw this.failed;
    if (text && !this.stream.write(text)) await once(this.stream, 'drain');
  }
}

/** Runs the command line given (argv without node and the script) and sets the exit code. */
export function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        if (error.message) process.stderr.write(`audit: ${error.message}\n`);
        process.stderr.write(`${USAGE}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
