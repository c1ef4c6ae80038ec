import { resolve } from 'node:path';

/** Everything the service reads from its environment, read once at start. */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  eventStoreUrl?: string;
  mongoUrl?: string;
  /** The bootstrap admin key; when absent one is generated into DATA_DIR/admin-api-key. */
  apiKey?: string;
  inviteResendCooldownSeconds: number;
  inviteTtlSeconds: number;
  publicPortalUrl: string;
  organizationName: string;
  mailFrom: string;
  smtpUrl?: string;
  /** Run the projections inside the API process (the embedded default does). */
  runProjections: boolean;
  /**
   * Run the reactors (notification emails) in this process: yes by default, also beside a
   * separate projector. With several API instances, leave it on in exactly one.
   */
  runReactors: boolean;
  /** Signs portal session tokens; when absent one is generated into DATA_DIR/session-secret. */
  sessionSecret?: string;
  /**
   * TOKEN_KEYS: the keys that sign invitation and password reset tokens (`id:secret,...`, the
   * first signs, all verify); when absent one is generated into DATA_DIR/token-keys.
   */
  tokenKeys?: string;
  sessionTtlSeconds: number;
  passwordResetTtlSeconds: number;
  /** Trust X-Forwarded-For (behind a reverse proxy) for the client address rate limits use. */
  trustProxy: boolean;
  /** How long a `minPosition` query waits for the projections before answering 503. */
  readWaitTimeoutMs: number;
  /** How long a write's answer is kept for replays of its Idempotency-Key. */
  idempotencyTtlSeconds: number;
  /** Embedded store: the projections run in a worker thread (PROJECTIONS_IN_WORKER, default true) rather than on the request thread. */
  projectionsInWorker: boolean;
  logLevel: 'silent' | 'error' | 'info' | 'debug';
  /** LOG_FORMAT: json lines, or readable text; default: json unless the output is a terminal. */
  logFormat: 'json' | 'text';
  /** Portals per organization (MAX_PORTALS). */
  maxPortals: number;
  /** User types per portal (MAX_USER_TYPES_PER_PORTAL). */
  maxUserTypesPerPortal: number;
  /** Users per portal (MAX_USERS_PER_PORTAL). */
  maxUsersPerPortal: number;
  /** How often the log is anchored (AUDIT_ANCHOR_INTERVAL_SECONDS; 0: never), where reactors run. */
  auditAnchorIntervalSeconds: number;
  /** How long a client may take to send a whole request, headers and body (REQUEST_TIMEOUT_SECONDS). */
  requestTimeoutSeconds: number;
  /**
   * METRICS_PORT: serve /metrics on this port (no key; bind it where only the monitoring can
   * reach it) instead of on the API port behind the operator's admin key.
   */
  metricsPort?: number;
  /** Interface of the metrics port (METRICS_HOST). */
  metricsHost: string;
  /**
   * How long a seat taken for an invitation is held for it (SEAT_RESERVATION_SECONDS): a seat
   * whose access was not invited within this time (the process stopped in between) is
   * reclaimed when the portal is full.
   */
  seatReservationSeconds: number;
  /**
   * PROJECTION_LEASE_SECONDS: how long a projection's lease lasts unless its runner renews it;
   * another instance takes a dead runner's projections over within about that time.
   */
  projectionLeaseSeconds: number;
  /**
   * PROJECTION_BATCH_SIZE: most events a projection reads and applies per page (one read-store
   * transaction). Unset: 5000 on the embedded store (a bigger transaction writes each touched
   * page once; catch-up about 1.5 times as fast as with 1000), 1000 with MongoDB (a leased batch
   * is one MongoDB transaction, which should stay small).
   */
  projectionBatchSize: number;
  /**
   * SHUTDOWN_TIMEOUT_SECONDS: on SIGTERM or SIGINT the process finishes what it holds and
   * exits 0 within this bound; past it, it logs what was still running and exits 1.
   */
  shutdownTimeoutSeconds: number;
  /** READY_MAX_PROJECTION_LAG: readiness answers 503 while a projection is more events than this behind the log. */
  readyMaxProjectionLag: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = integer(env, 'PORT', 3000);
  const mongoUrl = env.MONGO_URL || undefined;
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.DATA_DIR || './data'),
    eventStoreUrl: env.EVENTSTORE_URL || undefined,
    mongoUrl,
    apiKey: secret(env, 'API_KEY'),
    inviteResendCooldownSeconds: integer(env, 'INVITE_RESEND_COOLDOWN_SECONDS', 86_400),
    inviteTtlSeconds: integer(env, 'INVITE_TTL_SECONDS', 604_800),
    publicPortalUrl: (env.PUBLIC_PORTAL_URL || `http://localhost:${port}/portal`).replace(/\/+$/, ''),
    organizationName: env.ORGANIZATION_NAME || 'Client Portal',
    mailFrom: env.MAIL_FROM || 'Client Portal <no-reply@client-portal.local>',
    smtpUrl: env.SMTP_URL || undefined,
    runProjections: env.RUN_PROJECTIONS ? env.RUN_PROJECTIONS === 'true' : !mongoUrl,
    runReactors: env.RUN_REACTORS ? env.RUN_REACTORS === 'true' : true,
    projectionsInWorker: env.PROJECTIONS_IN_WORKER !== 'false',
    readWaitTimeoutMs: integer(env, 'READ_WAIT_TIMEOUT_MS', 5_000),
    idempotencyTtlSeconds: integer(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400),
    sessionSecret: secret(env, 'SESSION_SECRET'),
    tokenKeys: env.TOKEN_KEYS || undefined,
    sessionTtlSeconds: integer(env, 'SESSION_TTL_SECONDS', 3_600),
    passwordResetTtlSeconds: integer(env, 'PASSWORD_RESET_TTL_SECONDS', 3_600),
    trustProxy: env.TRUST_PROXY === 'true',
    logLevel: env.LOG_LEVEL === 'silent' || env.LOG_LEVEL === 'error' || env.LOG_LEVEL === 'debug' ? env.LOG_LEVEL : 'info',
    logFormat: env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'text' ? env.LOG_FORMAT : process.stdout.isTTY ? 'text' : 'json',
    maxPortals: integer(env, 'MAX_PORTALS', 5),
    maxUserTypesPerPortal: integer(env, 'MAX_USER_TYPES_PER_PORTAL', 5),
    maxUsersPerPortal: integer(env, 'MAX_USERS_PER_PORTAL', 3_000),
    auditAnchorIntervalSeconds: integer(env, 'AUDIT_ANCHOR_INTERVAL_SECONDS', 300),
    requestTimeoutSeconds: positive(env, 'REQUEST_TIMEOUT_SECONDS', 60),
    metricsPort: env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0) : undefined,
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    seatReservationSeconds: positive(env, 'SEAT_RESERVATION_SECONDS', 60),
    projectionLeaseSeconds: Math.max(integer(env, 'PROJECTION_LEASE_SECONDS', 10), 1),
    projectionBatchSize: Math.max(integer(env, 'PROJECTION_BATCH_SIZE', env.MONGO_URL ? 1000 : 5000), 1),
    shutdownTimeoutSeconds: positive(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10),
    readyMaxProjectionLag: integer(env, 'READY_MAX_PROJECTION_LAG', 10_000),
  };
}

function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (!value) return undefined;
  if (value.length < 16 || /\s/.test(value)) throw new Error(`${name} must be at least 16 characters, without spaces`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = integer(env, name, fallback);
  if (value === 0) throw new Error(`${name} must be at least 1`);
  return value;
}
