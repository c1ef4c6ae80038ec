import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerDataStream } from 'smtp-server';
import { KeyValueStore, SqliteKeyValueStore } from '@app/credentials';
import { invitationEmail } from './invitation-email';
import { Mailer } from './mailer';

/** A real SMTP server on loopback that keeps what it accepts; `refuse` answers the next messages with an error. */
class TestSmtpServer {
  readonly received: string[] = [];
  readonly refusals: { code: number; message: string }[] = [];
  private readonly server: SMTPServer;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream: SMTPServerDataStream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const refusal = this.refusals.shift();
          if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
          this.received.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const ACCEPT_URL = 'https://portal.example/portal/accept-invitation?token=Zx9_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab';

describe('Mailer over SMTP (a real server on loopback)', () => {
  let dir: string;
  let store: KeyValueStore;
  let smtp: TestSmtpServer;
  let port: number;
  let mailers: Mailer[];
  let logged: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailer-'));
    store = new SqliteKeyValueStore(join(dir, 'service-state.sqlite'));
    smtp = new TestSmtpServer();
    port = await freePort();
    mailers = [];
    logged = [];
  });

  afterEach(async () => {
    await Promise.all(mailers.map((mailer) => mailer.close()));
    await smtp.close().catch(() => undefined);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function mailer(overrides: Partial<ConstructorParameters<typeof Mailer>[0]> = {}): Mailer {
    const created = new Mailer({
      from: '東京スタッフィング株式会社 <no-reply@tokyo-staffing.example>',
      smtpUrl: `smtp://127.0.0.1:${port}`,
      outboxDir: join(dir, 'outbox'),
      store,
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
      logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
      ...overrides,
    });
    mailers.push(created);
    return created;
  }

  it('delivers an invitation in Japanese to a Portuguese name: RFC 2047 headers, UTF-8 body, the accept link intact', async () => {
    await smtp.listen(port);
    const sender = mailer();
    sender.start();
    const message = invitationEmail({
      to: 'joao.araujo@cliente.example',
      contactName: 'João Araújo',
      organizationName: '東京スタッフィング',
      portalUrl: 'https://portal.example/portal',
      acceptUrl: ACCEPT_URL,
      expiresAt: '2030-01-01T00:00:00Z',
      language: 'ja',
    });

    const { messageId } = await sender.send({ ...message, to: 'João Araújo <joao.araujo@cliente.example>' });
    await sender.delivered();

    expect(smtp.received).toHaveLength(1);
    const raw = smtp.received[0];
    const headers = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(headers).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
    // Encoded words, folded over lines where long, then the address.
    expect(headers).toMatch(/^From: =\?UTF-8\?[BQ]\?[^]*?\?= <no-reply@tokyo-staffing\.example>/im);
    expect(headers).toMatch(/^To: =\?UTF-8\?[BQ]\?[^]*?\?= <joao\.araujo@cliente\.example>/im);
    expect(/^[\x20-\x7e\r\n\t]*$/.test(headers)).toBe(true); // headers are ASCII: every non-ASCII word encoded
    expect(raw).toContain(ACCEPT_URL); // not folded, no =3D

    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('東京スタッフィング クライアントポータルへのご招待');
    expect(parsed.from?.value).toEqual([{ name: '東京スタッフィング株式会社', address: 'no-reply@tokyo-staffing.example' }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : []).toEqual([{ name: 'João Araújo', address: 'joao.araujo@cliente.example' }]);
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.text).toContain('João Araújo 様');
    expect(parsed.text).toContain(ACCEPT_URL);
    expect(parsed.html).toContain(`href="${ACCEPT_URL}"`);
    // Marked sent and out of the outbox; the sent marker keeps no body.
    expect(await store.list('email-outbox', { limit: 10 })).toEqual([]);
    const [sent] = await store.list<Record<string, unknown>>('email-sent', { limit: 10 });
    expect(sent.value).toEqual({ messageId, sentAt: expect.any(String), attempts: 1 });
  });

  it('retries a server that refuses for now (4xx), then delivers once, with the same Message-ID', async () => {
    await smtp.listen(port);
    smtp.refusals.push({ code: 451, message: 'Try again later' }, { code: 421, message: 'Busy' });
    const sender = mailer();
    sender.start();

    const { messageId } = await sender.send({ to: 'ana@acme.example', subject: 'Olá, Conceição', text: `Olá\n${ACCEPT_URL}\n`, html: '<p>Olá</p>' });
    await sender.delivered();

    expect(smtp.received).toHaveLength(1);
    const parsed = await simpleParser(smtp.received[0]);
    expect(parsed.subject).toBe('Olá, Conceição');
    expect(parsed.messageId).toBe(messageId);
    expect(logged.filter((line) => line.includes('not delivered'))).toHaveLength(2);
    const [sent] = await store.list<{ attempts: number }>('email-sent', { limit: 10 });
    expect(sent.value.attempts).toBe(3);
  });

  it('keeps emails queued while the server is down and sends them when it returns', async () => {
    const sender = mailer();
    sender.start();
    await sender.send({ to: 'a@acme.example', subject: 'first', text: 'one', html: '<p>one</p>' });
    await sender.send({ to: 'b@acme.example', subject: 'second', text: 'two', html: '<p>two</p>' });

    // Failing for now: still recorded, with the attempts and the reason.
    for (let i = 0; i < 100; i += 1) {
      const queued = await store.list<{ attempts: number; lastError?: string }>('email-outbox', { limit: 10 });
      if (queued.length === 2 && queued.every((e) => e.value.attempts >= 2)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const queued = await store.list<{ attempts: number; lastError?: string }>('email-outbox', { limit: 10 });
    expect(queued.map((e) => e.value.attempts >= 2 && /ECONNREFUSED|connect/i.test(e.value.lastError ?? ''))).toEqual([true, true]);
    expect(smtp.received).toEqual([]);

    await smtp.listen(port);
    await sender.delivered();

    expect(smtp.received).toHaveLength(2);
    expect((await Promise.all(smtp.received.map((raw) => simpleParser(raw)))).map((m) => m.subject)).toEqual(['first', 'second']);
    expect(await store.list('email-outbox', { limit: 10 })).toEqual([]);
  });

  it('gives up on a permanent refusal (5xx), says so, and keeps no body', async () => {
    await smtp.listen(port);
    smtp.refusals.push({ code: 550, message: 'No such mailbox' });
    const sender = mailer();
    sender.start();

    const { messageId } = await sender.send({ to: 'gone@acme.example', subject: 'hi', text: ACCEPT_URL, html: '' });
    await sender.delivered();

    expect(smtp.received).toEqual([]);
    expect(logged.some((line) => line.includes(`${messageId} given up after 1 attempt(s)`) && line.includes('No such mailbox'))).toBe(true);
    expect(await store.list('email-outbox', { limit: 10 })).toEqual([]);
    const [failed] = await store.list<Record<string, unknown>>('email-failed', { limit: 10 });
    expect(failed.value).toEqual({ messageId, failedAt: expect.any(String), attempts: 1, reason: expect.stringContaining('No such mailbox') });
    expect(JSON.stringify(failed.value)).not.toContain('token=');
  });

  it('sends what was recorded before a restart', async () => {
    await smtp.listen(port);
    const before = mailer();
    await before.send({ to: 'later@acme.example', subject: 'recorded, not yet sent', text: 'x', html: '' });
    await before.close(); // stopped before it ran

    const after = mailer();
    after.start();
    for (let i = 0; i < 100 && smtp.received.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));

    expect(smtp.received).toHaveLength(1);
  });

  it('delivers at least once: a sender stopped between the server accepting and the sent marker sends again, same Message-ID', async () => {
    await smtp.listen(port);
    let failMarker = true;
    const flaky: KeyValueStore = Object.create(store) as KeyValueStore;
    flaky.set = async (namespace, key, value, options) => {
      if (namespace === 'email-sent' && failMarker) {
        failMarker = false;
        throw new Error('the store went away');
      }
      return store.set(namespace, key, value, options);
    };
    const sender = mailer({ store: flaky, pollMs: 20 });
    sender.start();

    const { messageId } = await sender.send({ to: 'twice@acme.example', subject: 'once or twice', text: 'x', html: '' });
    await sender.delivered();

    const ids = (await Promise.all(smtp.received.map((raw) => simpleParser(raw)))).map((m) => m.messageId);
    expect(ids).toEqual([messageId, messageId]);
  });
});

describe('Mailer: what waits for the disk', () => {
  it('records an email durably unless a reactor says its checkpoint covers it; a delivery\'s bookkeeping never waits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailer-'));
    const store = new SqliteKeyValueStore(join(dir, 'state.sqlite'));
    const writes: string[] = [];
    const watched: KeyValueStore = Object.create(store) as KeyValueStore;
    const note = (op: string, namespace: string, options?: { durable?: boolean }) => writes.push(`${op} ${namespace} ${options?.durable === false ? 'unsynced' : 'durable'}`);
    watched.set = async (namespace, key, value, options) => (note('set', namespace, options), store.set(namespace, key, value, options));
    watched.setIfAbsent = async (namespace, key, value, options) => (note('setIfAbsent', namespace, options), store.setIfAbsent(namespace, key, value, options));
    watched.delete = async (namespace, key, options) => (note('delete', namespace, options), store.delete(namespace, key, options));
    const sender = new Mailer({ from: 'Portal <no-reply@portal.example>', outboxDir: join(dir, 'outbox'), store: watched, pollMs: 20 });
    try {
      await sender.send({ to: 'a@acme.example', subject: 'from a request', text: 'x', html: '' });
      await sender.send({ to: 'b@acme.example', subject: 'from a reactor', text: 'x', html: '' }, { key: 'event-1', at: '2026-11-29T10:00:00.000Z', durable: false });
      expect(writes.splice(0)).toEqual(['set email-outbox durable', 'setIfAbsent email-outbox unsynced']);
      sender.start();
      await sender.delivered();
      expect(new Set(writes)).toEqual(new Set(['setIfAbsent email-claim unsynced', 'set email-sent unsynced', 'delete email-outbox unsynced', 'delete email-claim unsynced']));
    } finally {
      await sender.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Mailer without SMTP: .eml files in the outbox folder', () => {
  it('writes each email once, composed, named by when it was recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailer-'));
    const store = new SqliteKeyValueStore(join(dir, 'state.sqlite'));
    const sender = new Mailer({ from: 'Portal <no-reply@portal.example>', outboxDir: join(dir, 'outbox'), store });
    try {
      sender.start();
      const first = await sender.send({ to: 'a@acme.example', subject: 'Convite — São Paulo', text: `Olá\n${ACCEPT_URL}\n`, html: '<p>Olá</p>' });
      await sender.send({ to: 'b@acme.example', subject: 'second', text: 'two', html: '' });
      await sender.delivered();

      const files = readdirSync(join(dir, 'outbox')).sort();
      expect(files).toHaveLength(2);
      expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[0-9a-f-]{36}\.eml$/);
      const content = readFileSync(join(dir, 'outbox', files[0]), 'utf8');
      expect(content).toContain('To: a@acme.example');
      expect(content).toContain(ACCEPT_URL);
      expect((await simpleParser(content)).messageId).toBe(first.messageId);
    } finally {
      await sender.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
