import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeDataDir, startApp, TestApp } from '../support/app';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const script = join(root, 'docs', 'walkthrough.sh');

/**
 * The README's walkthrough is a script (docs/walkthrough.sh) that checks every answer; here it
 * runs top to bottom against a freshly started service, and the README's examples are checked
 * to be excerpts of it, so neither can drift from the service.
 */
describe('the README walkthrough (e2e)', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api?.close();
    removeDataDir(api.dataDir);
  });

  it('runs top to bottom against a started service, every call answering as the script expects', async () => {
    const env = { ...process.env, BASE_URL: api.url, API_KEY: api.apiKey, OUTBOX_DIR: join(api.dataDir, 'outbox') };
    let output: { stdout: string; stderr: string };
    try {
      output = await run('bash', [script], { env, cwd: root, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 });
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`walkthrough failed: ${failed.message}\n--- stderr ---\n${failed.stderr}\n--- stdout (end) ---\n${failed.stdout?.slice(-4000)}`);
    }
    expect(output.stdout.trim().split('\n').at(-1)).toBe('walkthrough: done');
  }, 150_000);

  it('runs again against the same service (unique names per run)', async () => {
    const env = { ...process.env, BASE_URL: api.url, API_KEY: api.apiKey, OUTBOX_DIR: join(api.dataDir, 'outbox') };
    const { stdout } = await run('bash', [script], { env, cwd: root, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 });
    expect(stdout.trim().split('\n').at(-1)).toBe('walkthrough: done');
  }, 150_000);

  it('is what the README shows: every line of its walkthrough blocks is a line of the script', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const scriptLines = new Set(readFileSync(script, 'utf8').split('\n').map((line) => line.trimEnd()));
    const blocks = [...readme.matchAll(/<!-- walkthrough -->\s*```bash\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks.length).toBeGreaterThan(3);
    const missing = blocks.flatMap((block) => block.split('\n').map((line) => line.trimEnd())).filter((line) => line && !scriptLines.has(line));
    expect(missing).toEqual([]);
  });
});
