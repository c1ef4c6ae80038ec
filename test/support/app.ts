import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../apps/api/src/app';
import { closeGracefully } from '../../apps/api/src/lifecycle/graceful-shutdown';
import { AppConfig, loadConfig } from '../../apps/api/src/config';
import { Mailer } from '../../libs/notifications/src';
import { EventStore } from '../../libs/event-store/src';
import { EVENT_STORE } from '../../apps/api/src/infrastructure/tokens';
import { PortalAccessMailer } from '../../apps/api/src/portal-access/portal-access-mailer';
import { NotificationMailer } from '../../apps/api/src/collaboration/notification-mailer';
import { DocumentedProblems } from './documented-problems';

export interface Response<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApp {
  url: string;
  apiKey: string;
  dataDir: string;
  config: AppConfig;
  app: NestFastifyApplication;
  /** A request with the admin API key (override or drop it with headers.authorization). */
  request<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>;
  /**
   * The .eml files in the outbox, oldest first, once the app's mail sender has delivered
   * every email recorded so far (emails go out in the background).
   */
  outbox(): Promise<{ file: string; content: string }[]>;
  close(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'client-portal-'));
}

/** Starts the real app over real HTTP on a random port, on the embedded default. */
export async function startApp(env: Record<string, string> = {}, dataDir = tempDataDir()): Promise<TestApp> {
  const apiKey = env.API_KEY ?? 'test-admin-key-0123456789abcdef0123456789abcdef';
  const config = loadConfig({ DATA_DIR: dataDir, API_KEY: apiKey, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', PORT: '0', ...env });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;

  let documented: Promise<DocumentedProblems> | undefined;
  const request = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> => {
    const finalHeaders: Record<string, string> = { authorization: `Bearer ${apiKey}`, ...headers };
    if (finalHeaders.authorization === '') delete finalHeaders.authorization;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      finalHeaders['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers: finalHeaders, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    if (response.headers.get('content-type')?.startsWith('application/problem+json')) {
      // Every problem a test receives must be one the route documents.
      documented ??= DocumentedProblems.load(url);
      (await documented).check(method, path, response.status, parsed);
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  };

  const outbox = async () => {
    // The emails of everything written so far: the reactors that compose them have reached the
    // head of the log, and the sender has delivered what they recorded.
    const head = await app.get<symbol, EventStore>(EVENT_STORE, { strict: false }).headPosition();
    const reactors = [app.get(PortalAccessMailer, { strict: false }).reactor, app.get(NotificationMailer, { strict: false }).reactor];
    for (const reactor of reactors) if (!(await reactor.waitFor(head, 10_000))) throw new Error(`A mail reactor did not reach position ${head}`);
    await app.get(Mailer, { strict: false }).delivered();
    const dir = join(dataDir, 'outbox');
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
    } catch {
      return [];
    }
    return files.map((file) => ({ file, content: readFileSync(join(dir, file), 'utf8') }));
  };

  return {
    url,
    apiKey,
    dataDir,
    config,
    app,
    request,
    outbox,
    close: () => closeGracefully(app),
  };
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The invitation token in an email's accept link. */
export function tokenIn(email: string): string {
  const match = /[?&]token=([A-Za-z0-9_-]+)/.exec(email);
  if (!match) throw new Error(`No token in email:\n${email}`);
  return match[1];
}
