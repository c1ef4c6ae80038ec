import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer, { SendMailOptions, Transporter } from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import { KeyValueStore } from '@app/credentials';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** An email as the outbox keeps it until it is sent: everything needed to compose it again, identically. */
interface OutboxEntry extends EmailMessage {
  id: string;
  from: string;
  /** Stable across attempts: a receiver can drop a repeat. */
  messageId: string;
  /** The message's Date header: when it was recorded. */
  createdAt: string;
  attempts: number;
  /** Epoch ms before which it is not tried again. */
  nextAttemptAt: number;
  lastError?: string;
}

export interface MailerLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface MailerOptions {
  from: string;
  /** Deliver over SMTP (a nodemailer URL); without it, `.eml` files go to `outboxDir`. */
  smtpUrl?: string;
  outboxDir: string;
  /** Where the outbox is recorded: the service's key-value store (SQLite under DATA_DIR, or MongoDB). */
  store: KeyValueStore;
  /** First wait after a failed attempt; doubles with each further one. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** An email still failing (temporarily) this long after it was recorded is given up. */
  giveUpAfterMs?: number;
  /** How often the sender looks for emails other instances recorded or left behind. */
  pollMs?: number;
  logger?: MailerLogger;
}

const OUTBOX = 'email-outbox';
const SENT = 'email-sent';
const FAILED = 'email-failed';
const CLAIMS = 'email-claim';
/** A sender holds an email this long at most (longer than any SMTP attempt); if it dies, another takes over. */
const CLAIM_TTL_SECONDS = 120;
/** Sent and failed markers (metadata only, never the body) are kept this long. */
const RECORD_TTL_SECONDS = 30 * 24 * 3600;
const PAGE = 100;

/**
 * Email with an outbox. `send()` records the email durably (the key-value store, before it
 * answers) and returns; a background sender delivers it: over SMTP when SMTP_URL is set, else
 * as an `.eml` file under the outbox folder. A failed attempt is retried with exponential
 * backoff; a permanent refusal (an SMTP 5xx) or an email still failing after `giveUpAfterMs` is
 * given up and logged. Delivered emails are marked sent and leave the outbox.
 *
 * Guarantee: at least once. An email is delivered once unless the sender stops between the
 * server's acceptance and the sent marker; it is then delivered again, with the same
 * Message-ID and Date (receivers may drop the repeat), and an `.eml` file is written again
 * under the same name. Several instances share the outbox (MongoDB): each email is claimed
 * by one sender at a time.
 */
export class Mailer {
  private readonly transport: Transporter;
  private readonly store: KeyValueStore;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly giveUpAfterMs: number;
  private readonly pollMs: number;
  private readonly logger: MailerLogger;
  /** Emails recorded by this process and not yet sent or given up. */
  private readonly unsettled = new Set<string>();
  private readonly settledListeners = new Set<() => void>();
  private running: { abort: AbortController; loop: Promise<void> } | undefined;
  private wakeRequested = false;
  private lastRecordedAt = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly options: MailerOptions) {
    this.store = options.store;
    this.transport = options.smtpUrl
      ? // Bounded waits (the URL may set its own): an attempt never outlives its claim.
        nodemailer.createTransport(new SMTPTransport({ url: options.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 }))
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5 * 60_000;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 3 * 24 * 3600_000;
    this.pollMs = options.pollMs ?? 5_000;
    this.logger = options.logger ?? {
      // eslint-disable-next-line no-console
      warn: (message) => console.warn(message),
      // eslint-disable-next-line no-console
      error: (message) => console.error(message),
    };
  }

  /**
   * Records the email for delivery and resolves once it is durably recorded (not delivered:
   * the sender does that in the background). The Message-ID is the one it will carry.
   *
   * With `key` (a reactor's: the id of the event that causes the email, and `at`, its time),
   * recording is idempotent: the same key records one email, whose Message-ID and Date derive
   * from it, however often the event is handled again; an email already sent or given up under
   * that key is not recorded again.
   *
   * `durable: false` (a reactor's, whose checkpoint is saved durably in the same store after
   * the page, so that a machine going down before it makes the reactor record the email again):
   * the record is not waited for on the disk.
   */
  async send(message: EmailMessage, options: { key?: string; at?: string; durable?: boolean } = {}): Promise<{ messageId: string; recorded: boolean }> {
    const createdAt = options.at ? new Date(options.at) : this.nextRecordingTime();
    const id = options.key ?? randomUUID();
    const entry: OutboxEntry = {
      id,
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${id}@${domainOf(this.options.from)}>`,
      createdAt: createdAt.toISOString(),
      attempts: 0,
      nextAttemptAt: 0,
    };
    // Keys sort by recording time: the sender delivers in that order.
    const key = `${createdAt.toISOString()}-${id}`;
    if (options.key) {
      if ((await this.store.get(SENT, key)) || (await this.store.get(FAILED, key))) return { messageId: entry.messageId, recorded: false };
      if (!(await this.store.setIfAbsent(OUTBOX, key, entry, { durable: options.durable }))) return { messageId: entry.messageId, recorded: false };
    } else {
      await this.store.set(OUTBOX, key, entry, { durable: options.durable });
    }
    this.unsettled.add(key);
    this.requestWake();
    return { messageId: entry.messageId, recorded: true };
  }

  /** Now, but later than the last email recorded here: emails recorded in one millisecond keep their order. */
  private nextRecordingTime(): Date {
    this.lastRecordedAt = Math.max(Date.now(), this.lastRecordedAt + 1);
    return new Date(this.lastRecordedAt);
  }

  /** Starts the background sender (idempotent). */
  start(): void {
    if (this.running) return;
    const abort = new AbortController();
    this.running = { abort, loop: this.run(abort.signal) };
  }

  /**
   * Resolves once every email this process recorded before the call has been sent or given
   * up (tests read the outbox after it). The sender must be running.
   */
  async delivered(): Promise<void> {
    if (!this.running) throw new Error('The mail sender is not running');
    const waitingFor = new Set(this.unsettled);
    this.requestWake();
    while ([...waitingFor].some((key) => this.unsettled.has(key))) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.settledListeners.delete(done);
          resolve();
        };
        this.settledListeners.add(done);
      });
    }
  }

  /**
   * Stops the sender after the email in hand (waiting 5 s at most for it: an email cut short
   * is claimed again later); what is still recorded goes out on the next start.
   */
  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running) {
      running.abort.abort();
      this.wake?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running.loop, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
    }
    this.transport.close();
  }

  private requestWake(): void {
    this.wakeRequested = true;
    this.wake?.();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.wakeRequested = false;
      let nextDue = Date.now() + this.pollMs;
      try {
        nextDue = Math.min(nextDue, await this.deliverDue(signal));
      } catch (error) {
        this.logger.error(`Email outbox could not be read: ${describe(error)}`);
      }
      if (signal.aborted || this.wakeRequested) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, nextDue - Date.now()));
        this.wake = done;
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
      this.wake = undefined;
    }
  }

  /** Delivers every due email in recording order; answers when the next one falls due. */
  private async deliverDue(signal: AbortSignal): Promise<number> {
    let nextDue = Number.POSITIVE_INFINITY;
    let afterKey: string | undefined;
    for (;;) {
      const page = await this.store.list<OutboxEntry>(OUTBOX, { limit: PAGE, afterKey });
      for (const { key, value } of page) {
        if (signal.aborted) return nextDue;
        if (value.nextAttemptAt > Date.now()) nextDue = Math.min(nextDue, value.nextAttemptAt);
        else {
          const retryAt = await this.deliverOne(key);
          if (retryAt !== undefined) nextDue = Math.min(nextDue, retryAt);
        }
      }
      if (page.length < PAGE) return nextDue;
      afterKey = page[page.length - 1].key;
    }
  }

  /**
   * One attempt at one email, under a claim; the time of its next attempt when it failed for
   * now. The claim and the delivered email's bookkeeping are not waited for on the disk
   * (`durable: false`): a process that dies keeps them, and only a machine going down in
   * between could make an email go out once more. The recorded email itself is durable.
   */
  private async deliverOne(key: string): Promise<number | undefined> {
    const bookkeeping = { durable: false };
    if (!(await this.store.setIfAbsent(CLAIMS, key, { at: new Date().toISOString() }, { ttlSeconds: CLAIM_TTL_SECONDS, ...bookkeeping }))) return undefined;
    try {
      // Read again under the claim: another sender may have sent or rescheduled it meanwhile.
      const entry = await this.store.get<OutboxEntry>(OUTBOX, key);
      if (!entry) return this.settle(key);
      if (entry.nextAttemptAt > Date.now()) return entry.nextAttemptAt;
      if (await this.store.get(SENT, key)) {
        await this.store.delete(OUTBOX, key, bookkeeping);
        return this.settle(key);
      }
      try {
        await this.deliver(entry, key);
      } catch (error) {
        return this.failed(key, entry, error);
      }
      // Marked sent before it leaves the outbox: a crash in between sends nothing twice.
      await this.store.set(SENT, key, { messageId: entry.messageId, sentAt: new Date().toISOString(), attempts: entry.attempts + 1 }, { ttlSeconds: RECORD_TTL_SECONDS, ...bookkeeping });
      await this.store.delete(OUTBOX, key, bookkeeping);
      return this.settle(key);
    } finally {
      await this.store.delete(CLAIMS, key, bookkeeping).catch(() => undefined);
    }
  }

  private async failed(key: string, entry: OutboxEntry, error: unknown): Promise<number | undefined> {
    const attempts = entry.attempts + 1;
    const reason = describe(error);
    const expired = Date.now() - Date.parse(entry.createdAt) >= this.giveUpAfterMs;
    if (isPermanent(error) || expired) {
      this.logger.error(`Email ${entry.messageId} given up after ${attempts} attempt(s): ${reason}`);
      await this.store.set(FAILED, key, { messageId: entry.messageId, failedAt: new Date().toISOString(), attempts, reason }, { ttlSeconds: RECORD_TTL_SECONDS });
      await this.store.delete(OUTBOX, key);
      return this.settle(key);
    }
    const nextAttemptAt = Date.now() + Math.min(this.retryDelayMs * 2 ** (attempts - 1), this.maxRetryDelayMs);
    this.logger.warn(`Email ${entry.messageId} not delivered (attempt ${attempts}), retrying in ${nextAttemptAt - Date.now()} ms: ${reason}`);
    await this.store.set<OutboxEntry>(OUTBOX, key, { ...entry, attempts, nextAttemptAt, lastError: reason });
    return nextAttemptAt;
  }

  private settle(key: string): undefined {
    if (this.unsettled.delete(key)) for (const listener of [...this.settledListeners]) listener();
    return undefined;
  }

  /** Composes the email (identically on every attempt) and hands it to SMTP, or writes the `.eml` file. */
  private async deliver(entry: OutboxEntry, key: string): Promise<void> {
    const options = {
      from: entry.from,
      to: entry.to,
      subject: entry.subject,
      messageId: entry.messageId,
      date: new Date(entry.createdAt),
      // 8bit parts keep links (and their `token=` query) intact in the raw message, where
      // quoted-printable would fold long lines and turn `=` into `=3D`.
      text: eightBitPart('text/plain', entry.text),
      html: eightBitPart('text/html', entry.html),
    };
    // nodemailer accepts `{ raw }` content nodes; its typings only list the usual shapes.
    const info = (await this.transport.sendMail(options as unknown as SendMailOptions)) as { message?: Buffer };
    if (this.options.smtpUrl) return;

    await mkdir(this.options.outboxDir, { recursive: true });
    // Named by the outbox key: a repeated delivery rewrites the same file.
    const file = join(this.options.outboxDir, `${key.replace(/[:.]/g, '-')}.eml`);
    // Written under a temporary name and renamed, so a reader never sees half a message.
    await writeFile(`${file}.tmp`, info.message!, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
}

/** An SMTP refusal no retry changes: a 5xx answer, or no valid recipient at all. */
function isPermanent(error: unknown): boolean {
  const { responseCode, code } = (error ?? {}) as { responseCode?: number; code?: string };
  if (typeof responseCode === 'number') return responseCode >= 500 && responseCode < 600;
  return code === 'EENVELOPE';
}

function domainOf(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  return match ? match[1] : 'client-portal.local';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function eightBitPart(contentType: string, body: string): { raw: string } {
  return { raw: `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}` };
}
