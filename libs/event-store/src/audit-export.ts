import { PersonalDataVault } from './personal-data';
import { StoredEvent } from './integrity';

/**
 * Export lines: one per stored event, readable (decrypted data, `[erased]` where its person
 * was erased) and verifiable offline (the stored text and its chain hashes).
 */
export interface ExportLine {
  position: string;
  streamName: string;
  streamRevision: string;
  eventId: string;
  type: string;
  occurredAt: string | null;
  recordedAt: string;
  actor: unknown;
  onBehalfOf: unknown;
  channel: string | null;
  correlationId: string | null;
  causationId: string | null;
  /** The data as readers see it: decrypted, `[erased]` where its person was erased. */
  data: unknown;
  /** What is stored, and its chain: enough to verify the line offline. */
  stored: { data: string; metadata: string };
  hash: string | null;
  previousHash: string | null;
}

export interface ExportOptions {
  /** Only this organization's events; undefined: the whole log (the CLI, an operator). */
  organizationId?: string;
  from?: string | null;
  to?: string | null;
  subjectId?: string | null;
}

/** The export line of a stored event, or undefined when the options leave it out. */
export async function exportLineOf(event: StoredEvent, options: ExportOptions, vault: Pick<PersonalDataVault, 'open'> | undefined): Promise<ExportLine | undefined> {
    const metadata = parseObject(event.metadata);
    if (options.organizationId && metadata?.organizationId !== options.organizationId) return undefined;
    const occurredAt = typeof metadata?.occurredAt === 'string' ? metadata.occurredAt : null;
    if (options.from && (!occurredAt || occurredAt < options.from)) return undefined;
    if (options.to && (!occurredAt || occurredAt > options.to)) return undefined;
    if (options.subjectId && !event.streamName.endsWith(`-${options.subjectId}`) && !event.data.includes(`"${options.subjectId}"`)) return undefined;
    const stored = parseObject(event.data);
    const data = stored ? (vault ? (await vault.open(stored)).data : stored) : null;
    return {
      position: event.position.toString(),
      streamName: event.streamName,
      streamRevision: event.streamRevision.toString(),
      eventId: event.id,
      type: event.type,
      occurredAt,
      recordedAt: event.recordedAt,
      actor: metadata?.actor ?? null,
      onBehalfOf: metadata?.onBehalfOf ?? null,
      channel: typeof metadata?.channel === 'string' ? metadata.channel : null,
      correlationId: typeof metadata?.correlationId === 'string' ? metadata.correlationId : null,
      causationId: typeof metadata?.causationId === 'string' ? metadata.causationId : null,
      data,
      stored: { data: event.data, metadata: event.metadata },
      hash: event.hash,
      previousHash: event.previousHash,
    };
  }
export const EXPORT_CSV_COLUMNS = ['position', 'occurredAt', 'type', 'actor', 'onBehalfOf', 'channel', 'correlationId', 'causationId', 'streamName', 'streamRevision', 'eventId', 'recordedAt', 'data', 'storedData', 'storedMetadata', 'hash', 'previousHash'];

export function exportCsvRow(line: ExportLine): string {
  const actor = (value: unknown) => (value && typeof value === 'object' ? `${String((value as { kind?: unknown }).kind)}:${String((value as { id?: unknown }).id)}` : '');
  return [
    line.position,
    line.occurredAt ?? '',
    line.type,
    actor(line.actor),
    actor(line.onBehalfOf),
    line.channel ?? '',
    line.correlationId ?? '',
    line.causationId ?? '',
    line.streamName,
    line.streamRevision,
    line.eventId,
    line.recordedAt,
    JSON.stringify(line.data),
    line.stored.data,
    line.stored.metadata,
    line.hash ?? '',
    line.previousHash ?? '',
  ]
    .map(csvField)
    .join(',');
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so that a spreadsheet shows it as text. */
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads an exported JSONL file's lines back as stored events (for an offline verify). */
export function storedEventOfLine(line: ExportLine): StoredEvent {
  return {
    position: BigInt(line.position),
    streamName: line.streamName,
    streamRevision: BigInt(line.streamRevision),
    id: line.eventId,
    type: line.type,
    data: line.stored.data,
    metadata: line.stored.metadata,
    recordedAt: line.recordedAt,
    hash: line.hash,
    previousHash: line.previousHash,
  };
}
