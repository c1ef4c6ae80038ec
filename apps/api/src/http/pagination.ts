import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DomainError } from '@app/domain';
import { CollectionName, FindQuery, ReadStore, Row } from '@app/projections';

/** Accepted by every GET: wait until the projections reach this position (read-your-writes). */
export class ReadQuery {
  @ApiPropertyOptional({ description: 'Answer only once the read models reflect this position (from a write response).' })
  @IsOptional()
  @Matches(/^\d{1,19}$/)
  minPosition?: string;
}

export class PageQuery extends ReadQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** One page of a read-model collection, ordered by id, with an opaque cursor. */
export async function findPage<R extends Row, T>(
  readStore: ReadStore,
  collection: CollectionName<R>,
  where: FindQuery['where'],
  query: PageQuery,
  toItem: (doc: R) => T,
): Promise<Page<T>> {
  const limit = query.limit ?? 50;
  const afterId = query.cursor ? decodeCursor(query.cursor) : undefined;
  const docs = await readStore.find(collection, { where, afterId, limit: limit + 1 });
  const page = docs.slice(0, limit);
  const nextCursor = docs.length > limit ? encodeCursor(page[page.length - 1].id) : null;
  return { items: page.map(toItem), nextCursor };
}

/** Rows read per step when a filter no index serves is applied to the rows. */
const SCAN_BATCH = 200;

/**
 * One page of the rows matching `where` that `select` keeps (it answers the item, or
 * undefined to skip the row: for filters no index serves, such as a portal user's visibility
 * or a join with another read model), ordered by id. Several `where`s (a portal user's
 * companies) are read side by side and merged by id, each row once. Reads on in batches until
 * the page is full; with `maxScan`, at most that many rows per request, after which the page
 * may be short and its cursor resumes the scan.
 */
export async function findSelectedPage<R extends Row, T>(
  readStore: ReadStore,
  collection: CollectionName<R>,
  where: FindQuery['where'] | FindQuery['where'][],
  query: { limit?: number; cursor?: string },
  select: (doc: R) => T | undefined | Promise<T | undefined>,
  options: { maxScan?: number } = {},
): Promise<Page<T>> {
  const limit = query.limit ?? 50;
  const maxScan = options.maxScan ?? Number.POSITIVE_INFINITY;
  const batchSize = Math.max(limit + 1, SCAN_BATCH);
  const wheres = Array.isArray(where) ? where : [where];
  const kept: { id: string; item: T }[] = [];
  let afterId = query.cursor ? decodeCursor(query.cursor) : undefined;
  let scanned = 0;
  if (wheres.length === 0) return { items: [], nextCursor: null };
  for (;;) {
    const { docs, exhausted } = await readMerged(readStore, collection, wheres, afterId, batchSize);
    for (const doc of docs) {
      if (scanned === maxScan) return { items: kept.map((k) => k.item), nextCursor: encodeCursor(afterId!) };
      scanned += 1;
      const item = await select(doc);
      if (item !== undefined) kept.push({ id: doc.id, item });
      if (kept.length > limit) return { items: kept.slice(0, limit).map((k) => k.item), nextCursor: encodeCursor(kept[limit - 1].id) };
      afterId = doc.id;
    }
    if (exhausted) return { items: kept.map((k) => k.item), nextCursor: null };
  }
}

/**
 * The next rows after `afterId` matching any of `wheres`, ordered by id, each once. A `where`
 * whose batch came back full may have more rows beyond its last id, so only rows up to the
 * lowest such last id are answered: the next read starts there, and nothing is skipped.
 */
async function readMerged<R extends Row>(
  readStore: ReadStore,
  collection: CollectionName<R>,
  wheres: FindQuery['where'][],
  afterId: string | undefined,
  batchSize: number,
): Promise<{ docs: R[]; exhausted: boolean }> {
  const batches = await Promise.all(wheres.map((where) => readStore.find(collection, { where, afterId, limit: batchSize })));
  const fullBatchEnds = batches.filter((batch) => batch.length === batchSize).map((batch) => batch[batch.length - 1].id);
  const bound = fullBatchEnds.length ? fullBatchEnds.reduce((low, id) => (id < low ? id : low)) : undefined;
  const byId = new Map<string, R>();
  for (const doc of batches.flat()) if (bound === undefined || doc.id <= bound) byId.set(doc.id, doc);
  const docs = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { docs, exhausted: bound === undefined };
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!id || encodeCursor(id) !== cursor) {
    throw new DomainError('invalid', 'invalid-cursor', 'The cursor is not one this service issued.');
  }
  return id;
}
