import { FindQuery, ProjectionWrite } from '../read-store';

/**
 * Checks shared by the adapters, so that a projection that passes on SQLite (the default in
 * tests) does not fail or behave differently on MongoDB in production.
 */

const COLLECTION_NAME = /^[a-z][a-z0-9_]*$/;
/** Field names become SQL json paths and Mongo update paths: keep them plain. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The checkpoints, generations and leases live beside the collections in MongoDB. */
export const CHECKPOINTS = 'projection_checkpoints';
export const GENERATIONS = 'projection_generations';
export const LEASES = 'projection_leases';
const RESERVED_COLLECTIONS = new Set([CHECKPOINTS, GENERATIONS, LEASES]);
/** Internal fields: `_id` is the Mongo key, `_pos` the Mongo position guard. */
const RESERVED_FIELDS = new Set(['_id', '_pos']);
const MAX_POSITION = 2n ** 63n - 1n;

/** `__` is kept for the names of generations (`<name>__g<n>`), so no collection name can be another's generation. */
export function checkCollectionName(name: string): void {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name) || name.includes('__') || RESERVED_COLLECTIONS.has(name)) {
    throw new Error(`Invalid read-store collection name ${JSON.stringify(name)}: use /^[a-z][a-z0-9_]*$/ without "__"`);
  }
}

/** Where a collection's documents live in a generation: generation 0 under its own name. */
export function generationName(collection: string, generation: number): string {
  return generation === 0 ? collection : `${collection}__g${generation}`;
}

/** For fields that are indexed or filtered on; the id is not a field (use `get`, or `afterId`). */
export function checkFieldName(field: string): void {
  if (!FIELD_NAME.test(field) || field === 'id' || RESERVED_FIELDS.has(field)) {
    throw new Error(`Invalid read-store field name ${JSON.stringify(field)}: use /^[A-Za-z_][A-Za-z0-9_]*$/`);
  }
}

export function checkProjectionName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new Error('A projection needs a non-empty name');
}

/** Positions are stored as signed 64-bit integers in both stores; -1 means "not yet written". */
export function checkPosition(position: bigint): void {
  if (typeof position !== 'bigint' || position < 0n || position > MAX_POSITION) {
    throw new RangeError(`Invalid position ${String(position)}: expected a bigint in [0, 2^63)`);
  }
}

export function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new Error('A read-store document needs a non-empty string id');
}

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`Invalid limit ${limit}`);
}

/**
 * The top-level fields a write stores, without `id` (a document's id is always the write's id)
 * and without undefined values (undefined means "not written", as JSON would have it).
 * Top-level names must not contain '.' or start with '$' (Mongo would read them as paths or
 * operators) and must not be internal fields.
 */
export function fieldsOf(values: Record<string, unknown> | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!values) return fields;
  for (const [key, value] of Object.entries(values)) {
    if (key === 'id' || value === undefined) continue;
    if (RESERVED_FIELDS.has(key) || key.includes('.') || key.startsWith('$') || key.length === 0) {
      throw new Error(`Invalid read-store field name ${JSON.stringify(key)}`);
    }
    fields[key] = value;
  }
  return fields;
}

export function incrementsOf(write: Extract<ProjectionWrite, { op: 'upsert' }>, set: Record<string, unknown>): Record<string, number> {
  const inc = fieldsOf(write.inc) as Record<string, number>;
  for (const [key, by] of Object.entries(inc)) {
    if (typeof by !== 'number' || !Number.isFinite(by)) {
      throw new Error(`inc.${key} on ${write.collection}/${write.id} must be a finite number`);
    }
    // MongoDB rejects an update that both sets and increments a field.
    if (key in set) throw new Error(`Field ${key} on ${write.collection}/${write.id} is both set and incremented`);
  }
  return inc;
}

/** Validates a write once, before either adapter touches its store. */
export function checkWrite(write: ProjectionWrite): void {
  checkCollectionName(write.collection);
  checkId(write.id);
  if (write.op !== 'insert') checkPosition(write.position);
}

/** The half-open range of strings that start with a prefix, in code point (UTF-8 byte) order. */
export interface PrefixRange {
  field: string;
  /** Inclusive: the prefix itself. */
  lower: string;
  /** Exclusive: the least string greater than every string with the prefix; none if unbounded. */
  upper?: string;
}

const MAX_CODE_POINT = 0x10ffff;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Checks a find's prefix condition and turns it into a range both stores compare the same way:
 * SQLite (BINARY collation) and MongoDB (simple collation) both order strings by their UTF-8
 * bytes, which is code point order. So the upper bound is the prefix with its last code point
 * incremented (skipping the surrogate gap, dropping trailing U+10FFFF), not `value + '\uffff'`,
 * which would miss strings continuing with a character beyond the BMP (an emoji, a rare kanji).
 * Lone surrogates (not encodable in UTF-8) become U+FFFD, as the stores would store them.
 */
export function prefixRangeOf(query: FindQuery): PrefixRange | undefined {
  if (query.prefix === undefined) return undefined;
  const { field, value } = query.prefix;
  checkFieldName(field);
  if (typeof value !== 'string') throw new Error(`A prefix on ${field} must be a string`);
  if (Object.prototype.hasOwnProperty.call(query.where, field)) {
    throw new Error(`Field ${field} cannot be both a where equality and the prefix`);
  }
  const lower = value.replace(LONE_SURROGATE, '\ufffd');
  const upper = prefixUpperBound(lower);
  return upper === undefined ? { field, lower } : { field, lower, upper };
}

/**
 * The least string above every string that starts with `prefix`, in code point order (which
 * is also UTF-8 byte order): its last code point plus one. None when it is all U+10FFFF.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (char) => char.codePointAt(0)!);
  while (codePoints.length > 0 && codePoints[codePoints.length - 1] === MAX_CODE_POINT) codePoints.pop();
  if (codePoints.length === 0) return undefined;
  let last = codePoints[codePoints.length - 1] + 1;
  if (last === 0xd800) last = 0xe000;
  codePoints[codePoints.length - 1] = last;
  return String.fromCodePoint(...codePoints);
}
