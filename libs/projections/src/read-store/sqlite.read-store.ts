import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { CollectionSpec, Doc, FindQuery, ProjectionBatch, ProjectionWrite, ReadStore, Scalar } from '../read-store';
import {
  checkCollectionName,
  checkFieldName,
  checkId,
  checkLimit,
  checkPosition,
  checkProjectionName,
  checkWrite,
  fieldsOf,
  incrementsOf,
  prefixRangeOf,
} from './validation';

type UpsertWrite = Extract<ProjectionWrite, { op: 'upsert' }>;

/** The statements one collection's writes and reads use, prepared once. */
interface TableStatements {
  select: Database.Statement<[string], { pos: bigint; body: string }>;
  create: Database.Statement<[string, bigint, string]>;
  update: Database.Statement<[bigint, string, string]>;
  insertOnce: Database.Statement<[string, string]>;
  delete: Database.Statement<[string, bigint]>;
  get: Database.Statement<[string], { body: string }>;
}

/**
 * The embedded read store: one SQLite file, one table per collection (`rm_<name>`: id, pos,
 * JSON body). A page's batches and their checkpoints commit in one transaction, so they never disagree and
 * a replayed batch is skipped as a whole by the position guards. synchronous=NORMAL: a power cut
 * may lose the last batches, never tear one, and read models can be rebuilt from the event log.
 */
export class SqliteReadStore implements ReadStore {
  private readonly db: Database.Database;
  private readonly tables = new Map<string, TableStatements>();
  private readonly finds = new Map<string, Database.Statement<unknown[], { id: string; body: string }>>();
  private readonly readCheckpoint: Database.Statement<[string], { position: bigint }>;
  private readonly writeCheckpoint: Database.Statement<[string, bigint]>;
  private readonly dropCheckpoint: Database.Statement<[string]>;
  private readonly tableExists: Database.Statement<[string]>;
  private readonly applyInTransaction: Database.Transaction<(batches: ProjectionBatch[]) => void>;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Another connection (a second process on the same file) holding the write lock waits, not fails.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec('CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');

    this.readCheckpoint = this.db.prepare<[string], { position: bigint }>('SELECT position FROM projection_checkpoints WHERE name = ?');
    this.readCheckpoint.safeIntegers(true);
    // Never moves back, except through reset.
    this.writeCheckpoint = this.db.prepare<[string, bigint]>(
      `INSERT INTO projection_checkpoints (name, position) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET position = max(position, excluded.position)`,
    );
    this.dropCheckpoint = this.db.prepare<[string]>('DELETE FROM projection_checkpoints WHERE name = ?');
    this.tableExists = this.db.prepare<[string]>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    this.applyInTransaction = this.db.transaction((batches: ProjectionBatch[]) => {
      for (const { projection, writes, checkpoint } of batches) {
        for (const write of writes) {
          checkWrite(write);
          const statements = this.statementsFor(write.collection);
          switch (write.op) {
            case 'upsert':
              this.upsert(statements, write);
              break;
            case 'insert':
              statements.insertOnce.run(write.id, JSON.stringify(fieldsOf(write.doc)));
              break;
            case 'delete':
              statements.delete.run(write.id, write.position);
              break;
            default:
              throw new Error(`Unknown read-store write ${JSON.stringify((write as { op?: unknown }).op)}`);
          }
        }
        this.writeCheckpoint.run(projection, checkpoint);
      }
    });
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    for (const spec of specs) {
      checkCollectionName(spec.name);
      spec.indexes.forEach((fields) => fields.forEach(checkFieldName));
    }
    this.db.transaction(() => {
      for (const spec of specs) {
        const table = tableName(spec.name);
        this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL)`);
        for (const fields of spec.indexes) {
          if (fields.length === 0) continue;
          const columns = [...fields.map(fieldExpression), 'id'].join(', ');
          this.db.exec(`CREATE INDEX IF NOT EXISTS ${indexName(table, fields)} ON ${table} (${columns})`);
        }
      }
    })();
  }

  async applyBatch(projection: string, writes: ProjectionWrite[], checkpoint: bigint): Promise<void> {
    return this.applyBatches([{ projection, writes, checkpoint }]);
  }

  async applyBatches(batches: ProjectionBatch[]): Promise<void> {
    for (const { projection, checkpoint } of batches) {
      checkProjectionName(projection);
      checkPosition(checkpoint);
    }
    // IMMEDIATE takes the write lock up front rather than upgrading a read lock mid-way.
    this.applyInTransaction.immediate(batches);
  }

  private upsert(statements: TableStatements, write: UpsertWrite): void {
    // Validated before the guard, so a bad write fails the same way whether or not it is replayed.
    const set = fieldsOf(write.set);
    const inc = incrementsOf(write, set);
    const row = statements.select.get(write.id);
    if (row && row.pos >= write.position) return;

    const body: Record<string, unknown> = row ? JSON.parse(row.body) : fieldsOf(write.setOnInsert);
    Object.assign(body, set);
    for (const [field, by] of Object.entries(inc)) {
      const current = body[field];
      if (current !== undefined && typeof current !== 'number') {
        throw new Error(`Cannot increment non-numeric field ${field} of ${write.collection}/${write.id}`);
      }
      body[field] = (current ?? 0) + by;
    }

    const json = JSON.stringify(body);
    if (row) statements.update.run(write.position, json, write.id);
    else statements.create.run(write.id, write.position, json);
  }

  async getCheckpoint(projection: string): Promise<bigint | undefined> {
    return this.readCheckpoint.get(projection)?.position;
  }

  async reset(projection: string, collections: string[]): Promise<void> {
    checkProjectionName(projection);
    collections.forEach(checkCollectionName);
    this.db.transaction(() => {
      this.dropCheckpoint.run(projection);
      for (const collection of collections) {
        const table = tableName(collection);
        if (this.tableExists.get(table)) this.db.prepare(`DELETE FROM ${table}`).run();
      }
    })();
  }

  async get(collection: string, id: string): Promise<Doc | null> {
    checkCollectionName(collection);
    const row = this.statementsFor(collection).get.get(id);
    return row ? { id, ...JSON.parse(row.body) } : null;
  }

  async find(collection: string, query: FindQuery): Promise<Doc[]> {
    checkCollectionName(collection);
    checkLimit(query.limit);
    if (query.limit === 0) return [];

    const conditions: string[] = [];
    const params: unknown[] = [];
    const shape: string[] = [];
    for (const [field, value] of Object.entries(query.where)) {
      checkFieldName(field);
      const { sql, param, kind } = equality(field, value);
      conditions.push(sql);
      if (param !== undefined) params.push(param);
      shape.push(`${field}:${kind}`);
    }
    const range = prefixRangeOf(query);
    if (range) {
      // The indexed expression as a range; BINARY (SQLite's default, spelled out) compares
      // UTF-8 bytes, which is the code point order the range is computed in.
      const expression = fieldExpression(range.field);
      conditions.push(`${expression} >= ? COLLATE BINARY`);
      params.push(range.lower);
      if (range.upper !== undefined) {
        conditions.push(`${expression} < ? COLLATE BINARY`);
        params.push(range.upper);
      }
      conditions.push(`json_type(body, '$.${range.field}') = 'text'`);
      shape.push(`${range.field}^${range.upper !== undefined}`);
    }
    if (query.afterId !== undefined) {
      conditions.push('id > ?');
      params.push(query.afterId);
    }
    if (query.beforeId !== undefined) {
      conditions.push('id < ?');
      params.push(query.beforeId);
    }
    params.push(query.limit);

    const key = `${collection}|${shape.join(',')}|${query.afterId !== undefined}|${query.beforeId !== undefined}|${query.descending === true}`;
    let statement = this.finds.get(key);
    if (!statement) {
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      statement = this.db.prepare(`SELECT id, body FROM ${tableName(collection)} ${where} ORDER BY id ${query.descending ? 'DESC' : 'ASC'} LIMIT ?`);
      this.finds.set(key, statement);
    }
    return statement.all(...params).map((row) => ({ id: row.id, ...JSON.parse(row.body) }));
  }

  async close(): Promise<void> {
    this.tables.clear();
    this.finds.clear();
    if (this.db.open) this.db.close();
  }

  private statementsFor(collection: string): TableStatements {
    let statements = this.tables.get(collection);
    if (!statements) {
      const table = tableName(collection);
      statements = {
        select: this.db.prepare(`SELECT pos, body FROM ${table} WHERE id = ?`),
        create: this.db.prepare(`INSERT INTO ${table} (id, pos, body) VALUES (?, ?, ?)`),
        update: this.db.prepare(`UPDATE ${table} SET pos = ?, body = ? WHERE id = ?`),
        // pos -1: a later upsert of the same id still applies.
        insertOnce: this.db.prepare(`INSERT INTO ${table} (id, pos, body) VALUES (?, -1, ?) ON CONFLICT (id) DO NOTHING`),
        // Kept if written at a later position than the delete's.
        delete: this.db.prepare(`DELETE FROM ${table} WHERE id = ? AND pos <= ?`),
        get: this.db.prepare(`SELECT body FROM ${table} WHERE id = ?`),
      };
      // Positions are compared as bigint, never rounded through a double.
      statements.select.safeIntegers(true);
      this.tables.set(collection, statements);
    }
    return statements;
  }
}

function tableName(collection: string): string {
  return `rm_${collection}`;
}

function fieldExpression(field: string): string {
  return `json_extract(body, '$.${field}')`;
}

/** Readable, and unique per field list even where field names contain underscores. */
function indexName(table: string, fields: string[]): string {
  const digest = createHash('sha256').update(fields.join('\n')).digest('hex').slice(0, 8);
  return `${table}__${fields.join('_')}__${digest}`;
}

/**
 * An equality on a JSON field with MongoDB's semantics: the indexed json_extract expression
 * narrows, and json_type keeps SQLite from equating true with 1, or a string with the text of
 * a nested object. null matches a null or missing field, as in MongoDB.
 */
function equality(field: string, value: Scalar): { sql: string; param?: unknown; kind: string } {
  const expression = fieldExpression(field);
  const type = `json_type(body, '$.${field}')`;
  if (value === null) return { sql: `${expression} IS NULL`, kind: 'null' };
  switch (typeof value) {
    case 'boolean':
      return { sql: `${expression} = ${value ? 1 : 0} AND ${type} = '${value}'`, kind: String(value) };
    case 'number':
      return { sql: `${expression} = ? AND ${type} IN ('integer', 'real')`, param: value, kind: 'number' };
    case 'string':
      return { sql: `${expression} = ? AND ${type} = 'text'`, param: value, kind: 'string' };
    default:
      throw new Error(`Cannot filter ${field} on a ${typeof value}: only strings, numbers, booleans and null`);
  }
}
