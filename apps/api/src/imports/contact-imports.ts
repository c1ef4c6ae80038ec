import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { clientCompany, clientCompanyStream, DomainError } from '@app/domain';
import { KeyValueStore } from '@app/credentials';
import { EventStore } from '@app/event-store';
import { ProjectionWaiter, ReadStore } from '@app/projections';
import { CommandBus } from '@nestjs/cqrs';
import { CommandExecutor } from '../commands/command-executor';
import { EnsureImportedCompany, ImportContactRow } from './imports.commands';
import { ProblemException } from '../http/problem';
import { CommandContext } from '../http/request-context';
import { EVENT_STORE, KEY_VALUE_STORE, READ_STORE } from '../infrastructure/tokens';
import {
  ColumnIndex,
  HeaderError,
  ImportColumn,
  ImportPlanner,
  MAX_IMPORT_ROWS,
  PlannedCompany,
  PlannedRow,
  readHeader,
  resolveAgainstDirectory,
  RowError,
} from './contact-import';
import { DirectoryMatcher } from './directory-matches';
import { CsvFormatError, CsvRecord, CsvStreamReader, ParsedCsv, Utf8StreamDecoder } from './csv';
import { ProjectImports, ProjectImportSession } from '../projects/project-imports';

export const IMPORTS_NAMESPACE = 'imports';
/** Largest CSV body accepted (100,000 rows of long fields fit). */
export const MAX_CSV_BYTES = 64 * 1024 * 1024;
/** Rows applied at the same time: enough for the event store's group commit to gather them. */
const CONCURRENCY = 64;
/** Row errors kept in full in the progress record; `errorCount` counts them all. */
const MAX_ERRORS_KEPT = 1_000;
/** Imports accepted and not yet finished, per process (they run one after another). */
const MAX_PENDING_IMPORTS = 4;
const PROGRESS_INTERVAL_MS = 1_000;
/** How often a running import logs how far it is. */
const PROGRESS_LOG_INTERVAL_MS = 5_000;
/** A running import whose record has not been touched for this long was interrupted (its process stopped). */
const STALE_AFTER_MS = 60_000;
/** How long an import waits for the directory read models to catch up before matching against them. */
const DIRECTORY_WAIT_MS = 30_000;
const RETRY_HINT = 'Import the file again: rows already imported are recognized and left unchanged.';

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';

/** The progress record, kept in the key-value store (namespace `imports`, key: import id). */
export interface ImportRecord {
  id: string;
  organizationId: string;
  kind: 'contacts';
  status: ImportStatus;
  /** Data rows in the file (blank lines not counted). */
  rows: number;
  /** Rows done: applied, or refused with errors. */
  processed: number;
  /** Rows applied without error: `created` + `unchanged`. */
  applied: number;
  /** Applied rows that wrote something (a company, the contact or an association). */
  created: number;
  /** Applied rows that found everything already there and wrote nothing. */
  unchanged: number;
  /** Rows refused (at least one error each); they changed nothing. */
  invalid: number;
  errorCount: number;
  /** The first 1,000 errors, by row. */
  errors: RowError[];
  companiesRegistered: number;
  contactsAdded: number;
  associationsAdded: number;
  /** Highest global position the import wrote (0: nothing yet); pass it as `minPosition` to read the imported records. */
  position: number;
  startedAt: string;
  finishedAt: string | null;
  updatedAt: string;
  /** Why a failed import stopped. */
  failure: string | null;
}

export type ImportView = Omit<ImportRecord, 'organizationId'>;

/** The route CSV is accepted on; every other route refuses a CSV body before reading it. */
export const CSV_IMPORT_ROUTE = '/v1/imports/contacts';

/**
 * The CSV body as the content-type parser hands it over: parsed while it arrived (the bytes
 * are never held whole). `toJSON` keeps request fingerprints (Idempotency-Key) small.
 */
export class CsvUpload {
  constructor(
    readonly parsed: ParsedCsv,
    readonly bytes: number,
    readonly sha256: string,
  ) {}

  toJSON(): { csv: { bytes: number; sha256: string } } {
    return { csv: { bytes: this.bytes, sha256: this.sha256 } };
  }
}

interface ImportJob {
  record: ImportRecord;
  context: CommandContext;
  records: CsvRecord[] | null;
  columns: ColumnIndex;
  headerWidth: number;
  /** Every error (the record keeps the first 1,000). */
  allErrors: RowError[];
  errorsSorted: boolean;
  stop: string | null;
  companyStatus: Map<string, Promise<'missing' | 'active' | 'archived'>>;
  companyEnsured: Map<string, Promise<void>>;
  companies: Map<string, PlannedCompany>;
  /** The `project` column: projects resolved and created once per import. */
  projects: ProjectImportSession;
  saving: Promise<void>;
  /** The last progress line: when, and how many rows were done then. */
  logged: { at: number; processed: number };
}

/**
 * Contact imports: the file is read and its header checked while the request waits (a bad
 * file is refused with 422 and writes nothing); the rows are then checked and applied in the
 * background, one import at a time per process, 64 rows in flight. Before applying, the rows
 * are matched with the directory (companies by name, contacts by email; see
 * resolveAgainstDirectory), so records made through the API are used, not duplicated. Valid
 * rows go through the domain deciders with those ids, or deterministic ones for what is new,
 * so a second import of the same file writes nothing.
 */
@Injectable()
export class ContactImports implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Imports');
  private readonly jobs = new Map<string, ImportJob>();
  /** CSV bodies being received now. */
  private uploading = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly executor: CommandExecutor,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    private readonly adapterHost: HttpAdapterHost,
    private readonly waiter: ProjectionWaiter,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly projectImports: ProjectImports,
    private readonly commands: CommandBus,
  ) {}

  onModuleInit(): void {
    // Only JSON has a parser (app.ts); CSV gets one of its own, for the import route only.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify && !fastify.hasContentTypeParser('text/csv')) {
      fastify.addContentTypeParser('text/csv', (request, payload, done) => {
        const refusal = this.refusalBeforeReading(request);
        if (refusal) return done(refusal, undefined);
        this.uploading++;
        readCsv(payload, (error, body) => {
          this.uploading--;
          done(error, body);
        });
      });
    }
    this.timer = setInterval(() => {
      for (const job of this.jobs.values()) {
        this.logProgress(job);
        this.save(job).catch((error: unknown) => this.logger.error(`Import ${job.record.id}: progress not saved`, error instanceof Error ? error.stack : String(error)));
      }
    }, PROGRESS_INTERVAL_MS);
    this.timer.unref();
  }

  /** A CSV body this process will not take, told before a byte of it is read. */
  private refusalBeforeReading(request: FastifyRequest): ProblemException | undefined {
    if (request.routeOptions.url !== CSV_IMPORT_ROUTE) {
      return new ProblemException(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as JSON, with Content-Type: application/json.');
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(request.headers['content-type'] ?? ''))?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      return new ProblemException(415, 'unsupported-media-type', 'Unsupported media type', 'Send the file with Content-Type: text/csv, encoded as UTF-8.');
    }
    if (Number(request.headers['content-length']) > MAX_CSV_BYTES) return fileTooLarge();
    // Files being received count too: parallel uploads cannot hold more than a few files' rows in memory.
    if (this.jobs.size + this.uploading >= MAX_PENDING_IMPORTS) return tooManyImports();
    return undefined;
  }

  /**
   * Accepts a parsed file, or refuses it whole (problem+json); the rows run later, after the
   * `queuePosition` imports accepted before it.
   */
  async accept(context: CommandContext, upload: CsvUpload): Promise<ImportView & { queuePosition: number }> {
    const { header, records } = upload.parsed;
    const blank = header.every((f) => f.trim() === '') && records.every((r) => r.fields.every((f) => f.trim() === ''));
    if (upload.bytes === 0 || blank) throw new ProblemException(422, 'empty-file', 'Empty file', 'The file is empty: it needs a header row and data rows.');
    if (this.jobs.size >= MAX_PENDING_IMPORTS) throw tooManyImports();
    let columns: ColumnIndex;
    try {
      columns = readHeader(header);
    } catch (error) {
      if (error instanceof HeaderError) {
        throw new ProblemException(422, 'invalid-csv-header', 'The header row is not valid', error.message, { errors: error.errors });
      }
      throw error;
    }
    const headerWidth = header.length;
    if (records.length === 0) throw new ProblemException(422, 'no-rows', 'No rows', 'The file has a header row but no data rows.');

    const now = new Date().toISOString();
    const id = randomUUID();
    const record: ImportRecord = {
      id,
      organizationId: context.organizationId,
      kind: 'contacts',
      status: 'queued',
      rows: records.length,
      processed: 0,
      applied: 0,
      created: 0,
      unchanged: 0,
      invalid: 0,
      errorCount: 0,
      errors: [],
      companiesRegistered: 0,
      contactsAdded: 0,
      associationsAdded: 0,
      position: 0,
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
      failure: null,
    };
    // Every event of the import: channel `import`, correlated by the import id; event ids
    // are random (the deterministic stream ids are what make a re-import idempotent).
    const importContext: CommandContext = {
      organizationId: context.organizationId,
      actor: context.actor,
      ...(context.onBehalfOf ? { onBehalfOf: context.onBehalfOf } : {}),
      channel: 'import',
      correlationId: id,
    };
    const job: ImportJob = {
      record,
      context: importContext,
      records,
      columns,
      headerWidth,
      allErrors: [],
      errorsSorted: true,
      stop: null,
      companyStatus: new Map(),
      companyEnsured: new Map(),
      companies: new Map(),
      projects: this.projectImports.session(importContext),
      saving: Promise.resolve(),
      logged: { at: Date.now(), processed: 0 },
    };
    await this.kv.set(IMPORTS_NAMESPACE, id, record);
    this.jobs.set(id, job);
    const queuePosition = this.jobs.size - 1;
    this.logger.log(`Import ${id} accepted: ${count(record.rows)} rows (${count(upload.bytes)} bytes), ${queuePosition} imports before it`);
    this.chain = this.chain.then(() => this.run(job));
    return { ...view(record), queuePosition };
  }

  /** The import as its organization sees it; null for an unknown id or another organization's. */
  async find(organizationId: string, id: string): Promise<ImportView | null> {
    const live = this.jobs.get(id);
    if (live) return live.record.organizationId === organizationId ? view(this.snapshot(live)) : null;
    const stored = await this.kv.get<ImportRecord>(IMPORTS_NAMESPACE, id);
    if (!stored || stored.organizationId !== organizationId) return null;
    if ((stored.status === 'running' || stored.status === 'queued') && Date.now() - Date.parse(stored.updatedAt) > STALE_AFTER_MS) {
      // Its process stopped without finishing it (crash, kill -9): it will not go on.
      const failed: ImportRecord = {
        ...stored,
        status: 'failed',
        finishedAt: stored.updatedAt,
        failure: `Interrupted: the service stopped after ${stored.processed} of ${stored.rows} rows. ${RETRY_HINT}`,
      };
      await this.kv.set(IMPORTS_NAMESPACE, id, failed);
      return view(failed);
    }
    return view(stored);
  }

  /** On shutdown the running import stops after its rows in flight, and is recorded as failed. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const job of this.jobs.values()) job.stop ??= 'shutdown';
    await this.chain;
  }

  private async run(job: ImportJob): Promise<void> {
    const { record } = job;
    try {
      if (job.stop) return;
      record.status = 'running';
      await this.save(job);
      const planned = await this.plan(job);
      const rows = await this.resolve(job, planned);
      await this.applyAll(job, rows);
    } catch (error) {
      job.stop ??= 'error';
      this.logger.error(`Import ${record.id} failed`, error instanceof Error ? error.stack : String(error));
    } finally {
      job.records = null;
      record.status = job.stop ? 'failed' : 'completed';
      record.failure =
        job.stop === 'shutdown'
          ? `Interrupted: the service shut down after ${record.processed} of ${record.rows} rows. ${RETRY_HINT}`
          : job.stop === 'directory-behind'
            ? `Stopped before applying any row: the directory did not catch up within ${DIRECTORY_WAIT_MS / 1000} s, so the rows could not be matched with it. ${RETRY_HINT}`
            : job.stop
              ? `Stopped by an internal error after ${record.processed} of ${record.rows} rows. ${RETRY_HINT}`
              : null;
      record.finishedAt = new Date().toISOString();
      try {
        await this.save(job);
      } catch (error) {
        this.logger.error(`Import ${record.id}: the final progress record was not saved`, error instanceof Error ? error.stack : String(error));
      }
      this.jobs.delete(record.id);
      this.logger.log(
        `Import ${record.id} ${record.status}: ${count(record.rows)} rows, ${count(record.applied)} applied (${count(record.created)} created, ${count(record.unchanged)} unchanged), ${count(record.invalid)} refused, ` +
          `in ${((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000).toFixed(1)} s; position ${record.position}`,
      );
    }
  }

  /** Checks every row in file order (duplicates need the rows before them), yielding to the event loop now and then. */
  private async plan(job: ImportJob): Promise<PlannedRow[]> {
    const planner = new ImportPlanner(job.record.organizationId, job.columns, job.headerWidth);
    const records = job.records!;
    for (let k = 0; k < records.length; k++) {
      planner.add(records[k]);
      if (k % 2_000 === 1_999) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    job.records = null;
    job.companies = planner.companies;
    job.allErrors.push(...planner.errors);
    job.record.invalid = planner.invalidRows;
    job.record.processed = planner.invalidRows;
    return planner.rows;
  }

  /**
   * Matches the planned companies and contacts with what the directory already holds (made
   * through the API or by an earlier import), once the read models have caught up with every
   * event written before: one lookup per distinct company name and per email.
   */
  private async resolve(job: ImportJob, planned: PlannedRow[]): Promise<PlannedRow[]> {
    if (planned.length === 0) return planned;
    if (!(await this.waiter.waitFor(await this.events.headPosition(), DIRECTORY_WAIT_MS))) {
      job.stop ??= 'directory-behind';
      return [];
    }
    const { organizationId } = job.record;
    const matches = await new DirectoryMatcher(this.readStore, organizationId).match(job.companies.values(), planned);
    const resolved = resolveAgainstDirectory(organizationId, planned, job.companies, matches);
    job.companies = resolved.companies;
    if (resolved.errors.length > 0) {
      job.allErrors.push(...resolved.errors);
      job.errorsSorted = false;
    }
    job.record.invalid += resolved.invalidRows;
    job.record.processed += resolved.invalidRows;
    return resolved.rows;
  }

  private async applyAll(job: ImportJob, rows: PlannedRow[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (!job.stop) {
        const k = next++;
        if (k >= rows.length) return;
        try {
          await this.applyRow(job, rows[k]);
        } catch (error) {
          // Not the row's fault (the store failed): stop taking rows, let the others in flight finish.
          job.stop ??= 'error';
          this.logger.error(`Import ${job.record.id} stopped at row ${rows[k].row}`, error instanceof Error ? error.stack : String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
  }

  private async applyRow(job: ImportJob, row: PlannedRow): Promise<void> {
    const { record } = job;
    try {
      const companies: { id: string; name: string; field: ImportColumn }[] = [
        { id: row.companyId, name: row.companyName, field: 'company_name' },
        ...row.associated.map((a) => ({ ...a, field: 'associated_companies' as const })),
      ];
      const statuses = await Promise.all(companies.map((c) => this.companyStatus(job, c.id)));
      const archived = companies.filter((_, k) => statuses[k] === 'archived');
      if (archived.length > 0) {
        this.refuse(job, archived.map((c) => ({ row: row.row, field: c.field, reason: `the client company "${c.name}" is archived` })));
        return;
      }
      const project = row.project ? await job.projects.resolve(row.project) : null;
      if (project && 'error' in project) {
        this.refuse(job, [{ row: row.row, field: 'project', reason: project.error }]);
        return;
      }
      await Promise.all(companies.filter((_, k) => statuses[k] === 'missing').map((c) => this.ensureCompany(job, c.id)));
      const imported = await this.commands.execute(new ImportContactRow(job.context, row.contactId, row.companyId, row.contact, row.associated.map((a) => a.id)));
      if (imported.contactAdded) record.contactsAdded++;
      record.associationsAdded += imported.associationsAdded;
      const { position } = imported;
      // The row's company joins its project, and its contact follows it as a client user.
      const joined = project ? await job.projects.join(project, row.companyId, row.contactId) : 0n;
      record.applied++;
      if (imported.contactAdded || imported.associationsAdded > 0 || joined > 0n) {
        record.created++;
        this.wrote(job, position > joined ? position : joined);
      } else {
        record.unchanged++;
      }
      record.processed++;
    } catch (error) {
      // A rule of the domain, or a conflict that outlasted the retries: this row only.
      if (error instanceof DomainError || error instanceof ProblemException) {
        this.refuse(job, [{ row: row.row, field: null, reason: error.message }]);
        return;
      }
      throw error;
    }
  }

  /** Every PROGRESS_LOG_INTERVAL_MS while rows are applied: how far, how fast, how long still. */
  private logProgress(job: ImportJob): void {
    const { record, logged } = job;
    const now = Date.now();
    if (record.status !== 'running' || now - logged.at < PROGRESS_LOG_INTERVAL_MS) return;
    const rate = ((record.processed - logged.processed) * 1000) / (now - logged.at);
    const left = record.rows - record.processed;
    const eta = rate > 0 ? `about ${Math.ceil(left / rate)} s left` : 'waiting';
    this.logger.log(
      `Import ${record.id}: ${count(record.processed)} of ${count(record.rows)} rows (${Math.floor((record.processed * 100) / record.rows)}%), ${count(Math.round(rate))} rows/s, ${eta}; position ${record.position}`,
    );
    job.logged = { at: now, processed: record.processed };
  }

  private wrote(job: ImportJob, position: bigint): void {
    if (Number(position) > job.record.position) job.record.position = Number(position);
  }

  private refuse(job: ImportJob, errors: RowError[]): void {
    job.allErrors.push(...errors);
    job.errorsSorted = false;
    job.record.invalid++;
    job.record.processed++;
  }

  /** What the company's own stream says, read once per import. */
  private companyStatus(job: ImportJob, id: string): Promise<'missing' | 'active' | 'archived'> {
    let status = job.companyStatus.get(id);
    if (!status) {
      status = this.executor
        .load(clientCompanyStream(id), clientCompany, job.record.organizationId)
        .then(({ state }) => (!state.registered ? 'missing' : state.archived ? 'archived' : 'active'));
      job.companyStatus.set(id, status);
    }
    return status;
  }

  /** Registers a missing company once per import, with the details of the first valid row naming it. */
  private ensureCompany(job: ImportJob, id: string): Promise<void> {
    let ensured = job.companyEnsured.get(id);
    if (!ensured) {
      const company = job.companies.get(id)!;
      ensured = this.commands
        .execute(new EnsureImportedCompany(job.context, { id, name: company.name, email: company.email, website: company.website }))
        .then(({ registered, position }) => {
          if (!registered) return;
          job.record.companiesRegistered += 1;
          this.wrote(job, position);
        });
      job.companyEnsured.set(id, ensured);
    }
    return ensured;
  }

  private snapshot(job: ImportJob): ImportRecord {
    if (!job.errorsSorted) {
      job.allErrors.sort((a, b) => a.row - b.row); // stable: a row's errors keep their column order
      job.errorsSorted = true;
    }
    return { ...job.record, errorCount: job.allErrors.length, errors: job.allErrors.slice(0, MAX_ERRORS_KEPT), updatedAt: new Date().toISOString() };
  }

  /** Writes the progress record; writes of one import go one after another. */
  private save(job: ImportJob): Promise<void> {
    job.saving = job.saving
      .catch(() => undefined)
      .then(() => {
        const snapshot = this.snapshot(job);
        job.record.updatedAt = snapshot.updatedAt;
        return this.kv.set(IMPORTS_NAMESPACE, job.record.id, snapshot);
      });
    return job.saving;
  }
}

function view(record: ImportRecord): ImportView {
  const { organizationId: _organizationId, ...rest } = record;
  return rest;
}

/**
 * Reads a CSV body as it arrives: each chunk is decoded and parsed at once, so only the
 * records are kept, never the file; more than MAX_CSV_BYTES (413), more than MAX_IMPORT_ROWS
 * rows (413), bad UTF-8 or bad quoting (422) stop the reading there. How long the client may
 * take is bounded for every request (REQUEST_TIMEOUT_SECONDS).
 */
function readCsv(payload: NodeJS.ReadableStream, done: (error: Error | null, body?: unknown) => void): void {
  const decoder = new Utf8StreamDecoder();
  const reader = new CsvStreamReader({ maxRecords: MAX_IMPORT_ROWS });
  const hash = createHash('sha256');
  let received = 0;
  let finished = false;
  const finish = (error: Error | null, body?: CsvUpload) => {
    if (finished) return;
    finished = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    done(error, body);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_CSV_BYTES) return finish(fileTooLarge());
    hash.update(chunk);
    try {
      reader.push(decoder.push(chunk));
    } catch (error) {
      finish(csvProblem(error));
    }
  };
  const onEnd = () => {
    try {
      reader.push(decoder.end());
      finish(null, new CsvUpload(reader.end(), received, hash.digest('hex')));
    } catch (error) {
      finish(csvProblem(error));
    }
  };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', (error: Error) => finish(error));
  // A client that goes away mid-file (or is cut off by the request timeout) ends the reading too.
  payload.on('close', () => finish(Object.assign(new Error('The upload was interrupted.'), { statusCode: 400 })));
}

function csvProblem(error: unknown): Error {
  if (!(error instanceof CsvFormatError)) return error as Error;
  if (error.code === 'too-many-rows') {
    return new ProblemException(413, 'too-many-rows', 'Payload too large', `The file has more than ${MAX_IMPORT_ROWS.toLocaleString('en')} data rows; split it into smaller files.`, {
      maxRows: MAX_IMPORT_ROWS,
    });
  }
  return new ProblemException(422, error.code, 'The file is not valid CSV', error.message, { line: error.line });
}

function fileTooLarge(): ProblemException {
  return new ProblemException(413, 'payload-too-large', 'Payload too large', `The file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MiB; split it into smaller files.`);
}

function tooManyImports(): ProblemException {
  return new ProblemException(429, 'too-many-imports', 'Too many requests', `${MAX_PENDING_IMPORTS} imports are waiting or running; retry when one has finished.`, {}, { 'retry-after': '30' });
}

/** 12,345: figures a person reads in a log line. */
function count(n: number): string {
  return n.toLocaleString('en');
}
