import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeasedTask } from './leased-task';
import { SqliteReadStore } from './read-store/sqlite.read-store';

/** Work that records when it runs. */
function work() {
  const log: string[] = [];
  let running = false;
  return {
    log,
    get running() {
      return running;
    },
    start: async () => {
      running = true;
      log.push('start');
    },
    stop: async () => {
      running = false;
      log.push('stop');
    },
  };
}

const until = async (condition: () => boolean, timeoutMs = 3_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('LeasedTask', () => {
  let dir: string;
  let stores: SqliteReadStore[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'leased-task-'));
    stores = [];
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = () => {
    const opened = new SqliteReadStore(join(dir, 'read-models.sqlite'));
    stores.push(opened);
    return opened;
  };

  it('runs the work in one instance at a time; a clean stop hands it to the other at once', async () => {
    const [a, b] = [work(), work()];
    const first = new LeasedTask(store(), 'reactor:mails', a, { ttlMs: 400, holder: 'host/1/a' });
    const second = new LeasedTask(store(), 'reactor:mails', b, { ttlMs: 400, holder: 'host/1/b' });
    await first.start();
    await second.start();
    expect([first.held, second.held]).toEqual([true, false]);
    expect([a.running, b.running]).toEqual([true, false]);

    await first.stop();
    await until(() => b.running);
    expect(second.held).toBe(true);
    expect(a.log).toEqual(['start', 'stop']);
    await second.stop();
    expect(b.log).toEqual(['start', 'stop']);
  });

  it('takes over from a holder that stopped renewing, once its lease has expired', async () => {
    const [a, b] = [work(), work()];
    const dead = new LeasedTask(store(), 'log_anchor', a, { ttlMs: 300, holder: 'elsewhere/1/a' });
    await dead.start();
    // The holder's process vanishes without letting go: its timer never fires again.
    (dead as unknown as { running: boolean }).running = false;
    const survivor = new LeasedTask(store(), 'log_anchor', b, { ttlMs: 300, holder: 'elsewhere/2/b' });
    await survivor.start();
    expect(b.running).toBe(false);
    await until(() => b.running, 3_000);
    expect(survivor.held).toBe(true);
    await survivor.stop();
  });

  it('stops its work when another instance holds the lease it thought it had', async () => {
    const shared = store();
    const a = work();
    const task = new LeasedTask(shared, 'reactor:notes', a, { ttlMs: 200, holder: 'h/1/a' });
    await task.start();
    expect(a.running).toBe(true);
    // Another holder takes it by force (as after an expiry this one missed).
    const [lease] = (await shared.leases()).filter((l) => l.projection === 'reactor:notes');
    expect(await shared.acquireLease('reactor:notes', 'h/2/b', 60_000, { evict: { holder: lease.holder, epoch: lease.epoch } })).not.toBeNull();
    await until(() => !a.running);
    expect(task.held).toBe(false);
    await task.stop();
    expect(a.log).toEqual(['start', 'stop']);
  });
});
