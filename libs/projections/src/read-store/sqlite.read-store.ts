import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  AcquireLeaseOptions,
  CollectionName,
  CollectionSpec,
  Doc,
  FindQuery,
  Lease,
  LeaseLostError,
  LeaseRecord,
  ProjectionBatch,
  ProjectionGenerations,
  ProjectionSpec,
  ProjectionWrite,
  ReadStore,
  Row,
  Scalar,
  StaleGenerationError,
} from '../read-store';
import { closeReadModelFile, OpenedReadModelFile, openReadModelFile, ReadModelFileOptions } from './read-model-file';
import {
  checkCollectionName,
  checkFieldName,
  checkLimit,
  checkPosition,
  checkProjectionName,
  checkWrite,
  fieldsOf,
  generationName,
  incrementsOf,
  prefixRangeOf,
  prefixUpperBound,
} from './validation';

type UpsertWrite = Extract<ProjectionWrite, { op: 'upsert' }>;

/** The statements one collection's writes and reads use, prepared once per table. */
interface TableStatements {
  /** The indexed fields the table holds as columns of their own, in column order. */
  columns: string[];
  select: Database.Statement<[string], { pos: bigint; body: string }>;
  create: Database.Statement<unknown[]>;
  update: Database.Statement<unknown[]>;
  insertOnce: Database.Statement<unknown[]>;
  delete: Database.Statement<[string, bigint]>;
  get: Database.Statement<[string], { body: string }>;
}

interface StoredGenerationsRow {
  live: bigint;
  last: bigint;
  building: bigint | null;
  building_position: bigint | null;
  rebuild_requested: bigint;
}

interface GenerationsRow {
  live: number;
  last: number;
  building: number | null;
  building_position: bigint | null;
  rebuild_requested: boolean;
}

interface LeaseRow {
  projection: string;
  holder: string | null;
  epoch: number;
  expires_at: number;
  report: string | null;
}

/**
 * The embedded read store: one SQLite file, one table per collection and generation
 * (`rm_<name>`, `rm_<name>__g<n>`: id, pos, JSON body). A page's batches and their
 * checkpoints commit in one transaction, so they never disagree and a replayed batch is
 * skipped as a whole by the position guards; each batch's lease and generation are checked in
 * that same transaction. A read maps its collection to the live generation and reads it in
 * one read transaction, so a switch of generations (one write transaction that also drops the
 * old tables) is seen entirely or not at all. synchronous=NORMAL: a power cut may lose the
 * last batches, never tear one, and read models can be rebuilt from the event log.
 */
export class SqliteReadStore implements ReadStore {
  readonly onLocalDisk = true;
  private readonly db: Database.Database;
  private readonly file: OpenedReadModelFile;
  private readonly tables = new Map<string, TableStatements>();
  private readonly finds = new Map<string, Database.Statement<unknown[], { id: string; body: string }>>();
  /** Per table: the fields it holds as columns (read from the table itself: another connection may have made it). */
  private readonly columns = new Map<string, Set<string>>();
  private readonly schemaVersion: Database.Statement<[], number>;
  private knownSchemaVersion = -1;
  private readonly readCheckpoint: Database.Statement<[string], { position: bigint }>;
  private readonly writeCheckpoint: Database.Statement<[string, bigint]>;
  private readonly setCheckpoint: Database.Statement<[string, bigint]>;
  private readonly dropCheckpoint: Database.Statement<[string]>;
  private readonly tableExists: Database.Statement<[string]>;
  private readonly liveGenerationOf: Database.Statement<[string], { live: number }>;
  private readonly selectGenerations: Database.Statement<[string], StoredGenerationsRow>;
  private readonly addGenerations: Database.Statement<[string]>;
  private readonly advanceBuilding: Database.Statement<[bigint, string, number]>;
  private readonly addOwner: Database.Statement<[string, string]>;
  private readonly ownedBy: Database.Statement<[string], { collection: string }>;
  private readonly selectLease: Database.Statement<[string], LeaseRow>;
  private readonly applyInTransaction: Database.Transaction<(batches: ProjectionBatch[]) => void>;
  private readonly inReadTransaction: Database.Transaction<(read: () => unknown) => unknown>;

  /**
   * Opens (or creates) the file. It is written without fsync; one left open when the machine
   * went down is set aside first, for the projections to rebuild (read-model-file.ts).
   */
  constructor(path: string, options: ReadModelFileOptions = {}) {
    this.file = openReadModelFile(path, options);
    this.db = this.file.db;
    // Up to 64 MiB of pages kept (SQLite's default is 2 MiB): a page of projected events touches
    // pages all over the indexes, and with a small cache each is read again, or spilled mid-batch.
    this.db.pragma('cache_size = -65536');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS projection_generations (
        projection TEXT PRIMARY KEY,
        live INTEGER NOT NULL DEFAULT 0,
        last INTEGER NOT NULL DEFAULT 0,
        building INTEGER,
        building_position INTEGER,
        rebuild_requested INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS read_model_owners (collection TEXT PRIMARY KEY, projection TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS projection_leases (
        projection TEXT PRIMARY KEY,
        holder TEXT,
        epoch INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        report TEXT
      );
    `);

    this.schemaVersion = this.db.prepare<[], number>('PRAGMA schema_version').pluck();
    this.readCheckpoint = this.db.prepare<[string], { position: bigint }>('SELECT position FROM projection_checkpoints WHERE name = ?');
    this.readCheckpoint.safeIntegers(true);
    // Never moves back, except through reset and a switch of generations.
    this.writeCheckpoint = this.db.prepare<[string, bigint]>(
      `INSERT INTO projection_checkpoints (name, position) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET position = max(position, excluded.position)`,
    );
    this.setCheckpoint = this.db.prepare<[string, bigint]>(
      'INSERT INTO projection_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
    this.dropCheckpoint = this.db.prepare<[string]>('DELETE FROM projection_checkpoints WHERE name = ?');
    this.tableExists = this.db.prepare<[string]>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    this.liveGenerationOf = this.db.prepare<[string], { live: number }>(
      'SELECT g.live AS live FROM read_model_owners o JOIN projection_generations g ON g.projection = o.projection WHERE o.collection = ?',
    );
    this.selectGenerations = this.db.prepare<[string], StoredGenerationsRow>(
      'SELECT live, last, building, building_position, rebuild_requested FROM projection_generations WHERE projection = ?',
    );
    // Integers as bigint: the building checkpoint is a position, exact beyond 2^53.
    this.selectGenerations.safeIntegers(true);
    this.addGenerations = this.db.prepare<[string]>('INSERT INTO projection_generations (projection) VALUES (?) ON CONFLICT (projection) DO NOTHING');
    this.advanceBuilding = this.db.prepare<[bigint, string, number]>(
      'UPDATE projection_generations SET building_position = max(coalesce(building_position, -1), ?) WHERE projection = ? AND building = ?',
    );
    this.addOwner = this.db.prepare<[string, string]>(
      'INSERT INTO read_model_owners (collection, projection) VALUES (?, ?) ON CONFLICT (collection) DO UPDATE SET projection = excluded.projection',
    );
    this.ownedBy = this.db.prepare<[string], { collection: string }>('SELECT collection FROM read_model_owners WHERE projection = ?');
    this.selectLease = this.db.prepare<[string], LeaseRow>('SELECT projection, holder, epoch, expires_at, report FROM projection_leases WHERE projection = ?');
    this.applyInTransaction = this.db.transaction((batches: ProjectionBatch[]) => {
      for (const { projection, writes, checkpoint, generation: asked, lease } of batches) {
        if (lease) this.checkLease(projection, lease);
        const generations = this.generationsRow(projection);
        const live = generations?.live ?? 0;
        const generation = asked ?? live;
        if (generation !== live && generation !== generations?.building) throw new StaleGenerationError(projection, generation);
        for (const write of writes) {
          checkWrite(write);
          const statements = this.statementsFor(generationName(write.collection, generation));
          switch (write.op) {
            case 'upsert':
              this.upsert(statements, write);
              break;
            case 'insert': {
              const doc = fieldsOf(write.doc);
              statements.insertOnce.run(write.id, JSON.stringify(doc), ...columnValues(statements.columns, doc));
              break;
            }
            case 'delete':
              statements.delete.run(write.id, write.position);
              break;
            default:
              throw new Error(`Unknown read-store write ${JSON.stringify((write as { op?: unknown }).op)}`);
          }
        }
        if (generation === live) this.writeCheckpoint.run(projection, checkpoint);
        else this.advanceBuilding.run(checkpoint, projection, generation);
      }
    });
    this.inReadTransaction = this.db.transaction((read: () => unknown) => read());
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    for (const spec of specs) checkSpec(spec);
    this.db.transaction(() => {
      for (const spec of specs) this.createTable(generationName(spec.name, this.liveGenerationOf.get(spec.name)?.live ?? 0), spec);
    })();
  }

  async ensureProjections(projections: ProjectionSpec[]): Promise<void> {
    for (const projection of projections) {
      checkProjectionName(projection.name);
      projection.collections.forEach(checkSpec);
    }
    this.db.transaction(() => {
      for (const projection of projections) {
        this.addGenerations.run(projection.name);
        for (const spec of projection.collections) this.addOwner.run(spec.name, projection.name);
        const { live, building } = this.generationsRow(projection.name)!;
        for (const generation of building === null ? [live] : [live, building]) {
          for (const spec of projection.collections) this.createTable(generationName(spec.name, generation), spec);
        }
      }
    }).immediate();
  }

  async applyBatch(projection: string, writes: ProjectionWrite[], checkpoint: bigint): Promise<void> {
    return this.applyBatches([{ projection, writes, checkpoint }]);
  }

  async applyBatches(batches: ProjectionBatch[]): Promise<void> {
    for (const { projection, checkpoint } of batches) {
      checkProjectionName(projection);
      checkPosition(checkpoint);
    }
    this.forgetStatementsOnSchemaChange();
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
    const columns = columnValues(statements.columns, body);
    if (row) statements.update.run(write.position, json, ...columns, write.id);
    else statements.create.run(write.id, write.position, json, ...columns);
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
        const table = tableName(this.physical(collection));
        if (this.tableExists.get(table)) this.db.prepare(`DELETE FROM ${table}`).run();
      }
    })();
  }

  async generations(projection: string): Promise<ProjectionGenerations> {
    return generationsOf(this.generationsRow(projection));
  }

  async startGeneration(projection: ProjectionSpec, lease?: Lease): Promise<number> {
    checkProjectionName(projection.name);
    projection.collections.forEach(checkSpec);
    return this.db
      .transaction(() => {
        if (lease) this.checkLease(projection.name, lease);
        this.addGenerations.run(projection.name);
        for (const spec of projection.collections) this.addOwner.run(spec.name, projection.name);
        const row = this.generationsRow(projection.name)!;
        const generation = Math.max(row.last, row.live, row.building ?? 0) + 1;
        if (row.building !== null) this.dropGeneration(projection.name, projection.collections, row.building);
        for (const spec of projection.collections) this.createTable(generationName(spec.name, generation), spec);
        this.db
          .prepare('UPDATE projection_generations SET building = ?, building_position = NULL, last = ?, rebuild_requested = 0 WHERE projection = ?')
          .run(generation, generation, projection.name);
        return generation;
      })
      .immediate();
  }

  async promoteGeneration(projection: ProjectionSpec, generation: number, lease?: Lease): Promise<void> {
    checkProjectionName(projection.name);
    this.db
      .transaction(() => {
        if (lease) this.checkLease(projection.name, lease);
        const row = this.generationsRow(projection.name);
        if (!row || row.building !== generation) throw new StaleGenerationError(projection.name, generation);
        const position = row.building_position;
        this.db.prepare('UPDATE projection_generations SET live = ?, building = NULL, building_position = NULL WHERE projection = ?').run(generation, projection.name);
        if (position === null) this.dropCheckpoint.run(projection.name);
        else this.setCheckpoint.run(projection.name, position);
        // Readers map and read in one read transaction: they see the old tables or the new ones.
        this.dropGeneration(projection.name, projection.collections, row.live);
      })
      .immediate();
  }

  /** Nothing waits: SQLite drops a replaced generation in the same transaction as the switch. */
  async dropRetiredGenerations(): Promise<void> {}

  async requestRebuild(projection: string): Promise<void> {
    checkProjectionName(projection);
    this.db
      .prepare('INSERT INTO projection_generations (projection, rebuild_requested) VALUES (?, 1) ON CONFLICT (projection) DO UPDATE SET rebuild_requested = 1')
      .run(projection);
  }

  async acquireLease(projection: string, holder: string, ttlMs: number, options: AcquireLeaseOptions = {}): Promise<Lease | null> {
    checkProjectionName(projection);
    return this.db
      .transaction((): Lease | null => {
        const now = Date.now();
        const row = this.selectLease.get(projection);
        const evicted = options.evict !== undefined && row?.holder === options.evict.holder && row.epoch === options.evict.epoch;
        if (row && row.holder !== holder && row.holder !== null && row.expires_at > now && !evicted) return null;
        const epoch = !row ? 1 : row.holder === holder ? row.epoch : row.epoch + 1;
        const expiresAt = now + ttlMs;
        this.db
          .prepare(
            `INSERT INTO projection_leases (projection, holder, epoch, expires_at, report) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (projection) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch, expires_at = excluded.expires_at, report = excluded.report`,
          )
          .run(projection, holder, epoch, expiresAt, options.report === undefined ? null : JSON.stringify(options.report));
        return { projection, holder, epoch, expiresAt };
      })
      .immediate();
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.db.prepare('UPDATE projection_leases SET holder = NULL, expires_at = 0 WHERE projection = ? AND holder = ? AND epoch = ?').run(lease.projection, lease.holder, lease.epoch);
  }

  async leases(): Promise<LeaseRecord[]> {
    const now = Date.now();
    return this.db
      .prepare<[], LeaseRow>('SELECT projection, holder, epoch, expires_at, report FROM projection_leases ORDER BY projection')
      .all()
      .map((row) => ({
        projection: row.projection,
        holder: row.holder ?? '',
        epoch: row.epoch,
        expiresAt: row.expires_at,
        expired: row.holder === null || row.expires_at <= now,
        report: row.report === null ? null : JSON.parse(row.report),
      }));
  }

  async get<R extends Row = Doc>(collection: CollectionName<R>, id: string): Promise<R | null> {
    checkCollectionName(collection);
    const row = this.read(collection, (physical) => this.statementsFor(physical).get.get(id));
    return row ? { id, ...JSON.parse(row.body) } : null;
  }

  async find<R extends Row = Doc>(collection: CollectionName<R>, query: FindQuery): Promise<R[]> {
    checkCollectionName(collection);
    checkLimit(query.limit);
    if (query.limit === 0) return [];

    this.forgetStatementsOnSchemaChange();
    const rows = this.read(collection, (physical) => {
      const columns = this.columnsOf(physical);
      const conditions: string[] = [];
      const params: unknown[] = [];
      const shape: string[] = [];
      for (const [field, value] of Object.entries(query.where)) {
        checkFieldName(field);
        const { sql, param, kind } = columns.has(field) ? columnEquality(field, value) : equality(field, value);
        conditions.push(sql);
        if (param !== undefined) params.push(param);
        shape.push(`${field}:${kind}`);
      }
      const range = prefixRangeOf(query);
      if (range && columns.has(range.field)) {
        // The column holds the JSON text of the value: a string's is its escaped text in quotes,
        // so the strings with the prefix are the texts that start with the prefix's own.
        const lower = JSON.stringify(range.lower).slice(0, -1);
        const upper = prefixUpperBound(lower);
        conditions.push(`${columnName(range.field)} >= ? COLLATE BINARY`);
        params.push(lower);
        if (upper !== undefined) {
          conditions.push(`${columnName(range.field)} < ? COLLATE BINARY`);
          params.push(upper);
        }
        shape.push(`${range.field}^c${upper !== undefined}`);
      } else if (range) {
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

      const key = `${physical}|${shape.join(',')}|${query.afterId !== undefined}|${query.beforeId !== undefined}|${query.descending === true}`;
      let statement = this.finds.get(key);
      if (!statement) {
        const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
        statement = this.db.prepare(`SELECT id, body FROM ${tableName(physical)} ${where} ORDER BY id ${query.descending ? 'DESC' : 'ASC'} LIMIT ?`);
        this.finds.set(key, statement);
      }
      return statement.all(...params);
    });
    return rows.map((row) => ({ id: row.id, ...JSON.parse(row.body) }));
  }

  async close(): Promise<void> {
    this.tables.clear();
    this.finds.clear();
    this.columns.clear();
    closeReadModelFile(this.file);
  }

  /**
   * Statements and column lists are kept per table; any change of the schema (by this
   * connection or another: a new generation, a migration) makes them be looked up again.
   */
  private forgetStatementsOnSchemaChange(): void {
    const version = this.schemaVersion.get()!;
    if (version === this.knownSchemaVersion) return;
    this.knownSchemaVersion = version;
    this.tables.clear();
    this.finds.clear();
    this.columns.clear();
  }

  /** The indexed fields a table holds as columns (none: it does not exist, or predates them). */
  private columnsOf(physical: string): Set<string> {
    let fields = this.columns.get(physical);
    if (!fields) {
      const names = (this.db.prepare(`PRAGMA table_info(${tableName(physical)})`).all() as { name: string }[]).map((column) => column.name);
      fields = new Set(names.filter((name) => name.startsWith(COLUMN_PREFIX)).map((name) => name.slice(COLUMN_PREFIX.length)));
      this.columns.set(physical, fields);
    }
    return fields;
  }

  /** The collection's table in its owner's live generation, read in the same read transaction. */
  private read<T>(collection: string, read: (physical: string) => T): T {
    return this.inReadTransaction(() => read(this.physical(collection))) as T;
  }

  private generationsRow(projection: string): GenerationsRow | undefined {
    const row = this.selectGenerations.get(projection);
    if (!row) return undefined;
    return {
      live: Number(row.live),
      last: Number(row.last),
      building: row.building === null ? null : Number(row.building),
      building_position: row.building_position,
      rebuild_requested: row.rebuild_requested === 1n,
    };
  }

  private physical(collection: string): string {
    return generationName(collection, this.liveGenerationOf.get(collection)?.live ?? 0);
  }

  private checkLease(projection: string, lease: Lease): void {
    const row = this.selectLease.get(projection);
    if (lease.projection !== projection || row?.holder !== lease.holder || row.epoch !== lease.epoch) throw new LeaseLostError(projection);
  }

  /**
   * A collection's table: id, pos, the JSON body, and a column per indexed field holding that
   * field's value as JSON text (null when absent), indexed with the id. The columns are written
   * from the body the projection already holds: an index on a json_extract expression made
   * SQLite parse the body again for every index on every write.
   */
  private createTable(physical: string, spec: CollectionSpec): void {
    const table = tableName(physical);
    const indexed = [...new Set(spec.indexes.flat())];
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL${indexed.map((f) => `, ${columnName(f)}`).join('')})`);
    this.addMissingColumns(table, indexed);
    for (const fields of spec.indexes) {
      if (fields.length === 0) continue;
      const columns = [...fields.map(columnName), 'id'].join(', ');
      this.db.exec(`CREATE INDEX IF NOT EXISTS ${indexName(table, fields)} ON ${table} (${columns})`);
    }
    this.columns.delete(physical);
    this.tables.delete(physical);
  }

  /**
   * A table made before its fields had columns (or before an index was added): the columns
   * are added and filled from the bodies, and indexes on json_extract expressions dropped.
   */
  private addMissingColumns(table: string, indexed: string[]): void {
    const existing = new Set((this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((column) => column.name));
    const missing = indexed.filter((field) => !existing.has(COLUMN_PREFIX + field));
    const stale = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql LIKE '%json_extract(%'").pluck().all(table) as string[];
    for (const index of stale) this.db.exec(`DROP INDEX ${index}`);
    if (missing.length === 0) return;
    for (const field of missing) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${columnName(field)}`);
    const page = this.db.prepare<[string], { id: string; body: string }>(`SELECT id, body FROM ${table} WHERE id > ? ORDER BY id LIMIT 1000`);
    const fill = this.db.prepare(`UPDATE ${table} SET ${missing.map((field) => `${columnName(field)} = ?`).join(', ')} WHERE id = ?`);
    for (let rows = page.all(''); rows.length > 0; rows = page.all(rows[rows.length - 1].id)) {
      for (const row of rows) fill.run(...columnValues(missing, JSON.parse(row.body) as Record<string, unknown>), row.id);
    }
  }

  /** Drops a generation's tables: the projection's collections now, and any it owned before. */
  private dropGeneration(projection: string, collections: CollectionSpec[], generation: number): void {
    const names = new Set([...collections.map((c) => c.name), ...this.ownedBy.all(projection).map((row) => row.collection)]);
    for (const name of names) {
      const physical = generationName(name, generation);
      this.db.exec(`DROP TABLE IF EXISTS ${tableName(physical)}`);
      this.tables.delete(physical);
      this.columns.delete(physical);
      for (const key of this.finds.keys()) if (key.startsWith(`${physical}|`)) this.finds.delete(key);
    }
  }

  private statementsFor(physical: string): TableStatements {
    let statements = this.tables.get(physical);
    if (!statements) {
      const table = tableName(physical);
      const columns = [...this.columnsOf(physical)];
      const names = columns.map((field) => `, ${columnName(field)}`).join('');
      const values = columns.map(() => ', ?').join('');
      statements = {
        columns,
        select: this.db.prepare(`SELECT pos, body FROM ${table} WHERE id = ?`),
        create: this.db.prepare(`INSERT INTO ${table} (id, pos, body${names}) VALUES (?, ?, ?${values})`),
        update: this.db.prepare(`UPDATE ${table} SET pos = ?, body = ?${columns.map((field) => `, ${columnName(field)} = ?`).join('')} WHERE id = ?`),
        // pos -1: a later upsert of the same id still applies.
        insertOnce: this.db.prepare(`INSERT INTO ${table} (id, pos, body${names}) VALUES (?, -1, ?${values}) ON CONFLICT (id) DO NOTHING`),
        // Kept if written at a later position than the delete's.
        delete: this.db.prepare(`DELETE FROM ${table} WHERE id = ? AND pos <= ?`),
        get: this.db.prepare(`SELECT body FROM ${table} WHERE id = ?`),
      };
      // Positions are compared as bigint, never rounded through a double.
      statements.select.safeIntegers(true);
      this.tables.set(physical, statements);
    }
    return statements;
  }
}

function checkSpec(spec: CollectionSpec): void {
  checkCollectionName(spec.name);
  spec.indexes.forEach((fields) => fields.forEach(checkFieldName));
}

function generationsOf(row: GenerationsRow | undefined): ProjectionGenerations {
  if (!row) return { live: 0, building: null, rebuildRequested: false };
  return {
    live: row.live,
    building: row.building === null ? null : { generation: row.building, checkpoint: row.building_position ?? undefined },
    rebuildRequested: row.rebuild_requested,
  };
}

function tableName(collection: string): string {
  return `rm_${collection}`;
}

const COLUMN_PREFIX = 'f_';

/** The column holding an indexed field (field names are plain identifiers: checkFieldName). */
function columnName(field: string): string {
  return COLUMN_PREFIX + field;
}

/** Each field's value as JSON text, so that types stay apart (true is not 1, "1" is not 1); absent or null: NULL. */
function columnValues(fields: string[], body: Record<string, unknown>): (string | null)[] {
  return fields.map((field) => {
    const text = body[field] === undefined ? undefined : JSON.stringify(body[field]);
    return text === undefined || text === 'null' ? null : text; // null, and what JSON writes as null (NaN)
  });
}

/** An equality on a field's column, with MongoDB's semantics: null matches a null or missing field. */
function columnEquality(field: string, value: Scalar): { sql: string; param?: unknown; kind: string } {
  if (value === null) return { sql: `${columnName(field)} IS NULL`, kind: 'column-null' };
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`Cannot filter ${field} on a ${typeof value}: only strings, numbers, booleans and null`);
  }
  return { sql: `${columnName(field)} = ?`, param: JSON.stringify(value), kind: 'column' };
}

/** A field read out of the body (for fields without a column of their own). */
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
