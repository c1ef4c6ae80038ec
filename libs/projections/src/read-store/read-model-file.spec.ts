import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeReadModelFile, openReadModelFile, ReadModelFileOptions } from './read-model-file';
import { SqliteReadStore } from './sqlite.read-store';

describe('the read-model file: written without fsync, set aside when it was open as the machine went down', () => {
  const dirs: string[] = [];
  let dir: string;
  let path: string;
  const warnings: string[] = [];
  const machine = (bootId: string | undefined, running: (pid: number) => boolean = (pid) => pid === process.pid): ReadModelFileOptions => ({
    bootId: () => bootId,
    isRunning: running,
    warn: (message) => warnings.push(message),
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-file-'));
    dirs.push(dir);
    path = join(dir, 'read-models.sqlite');
    warnings.length = 0;
  });

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Writes a checkpoint, then either closes the store or drops it as a killed process would. */
  async function storeWithCheckpoint(options: ReadModelFileOptions, close: 'cleanly' | 'killed'): Promise<void> {
    const store = new SqliteReadStore(path, options);
    await store.applyBatch('portal_status_v1', [], 42n);
    if (close === 'cleanly') await store.close();
    // Killed: the connection just goes (what it wrote is in the OS's hands); its record stays.
    else (store as unknown as { db: { close(): void } }).db.close();
  }

  async function checkpointAfterReopen(options: ReadModelFileOptions): Promise<bigint | undefined> {
    const store = new SqliteReadStore(path, options);
    try {
      return await store.getCheckpoint('portal_status_v1');
    } finally {
      await store.close();
    }
  }

  it('writes without fsync once its own record is down', () => {
    const file = openReadModelFile(path, machine('boot-1'));
    expect(file.db.pragma('synchronous', { simple: true })).toBe(0);
    expect(file.db.prepare('SELECT boot_id, pid FROM read_store_connections').all()).toEqual([{ boot_id: 'boot-1', pid: process.pid }]);
    closeReadModelFile(file);
  });

  it('keeps a file closed cleanly, across a restart of the machine', async () => {
    await storeWithCheckpoint(machine('boot-1'), 'cleanly');
    expect(await checkpointAfterReopen(machine('boot-2'))).toBe(42n);
    expect(warnings).toEqual([]);
  });

  it('keeps a file whose process was killed while the machine kept running (the OS held its writes)', async () => {
    await storeWithCheckpoint(machine('boot-1'), 'killed');
    // The killed process is gone: its record is forgotten, the rows are kept.
    expect(await checkpointAfterReopen(machine('boot-1', () => false))).toBe(42n);
    expect(warnings).toEqual([]);
    // ...and a later restart of the machine finds nothing left open.
    expect(await checkpointAfterReopen(machine('boot-2'))).toBe(42n);
  });

  it('sets aside a file that was open when the machine went down, and starts an empty one', async () => {
    await storeWithCheckpoint(machine('boot-1'), 'killed');
    expect(await checkpointAfterReopen(machine('boot-2'))).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('set aside as')]);
    const aside = readdirSync(dir).filter((name) => name.startsWith('read-models.sqlite.unclean-'));
    expect(aside.length).toBeGreaterThan(0);
    // The new file has no record of the old boot: opened again, nothing more is set aside.
    expect(await checkpointAfterReopen(machine('boot-2'))).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it('sets aside a file when another connection still had it open, even though one closed cleanly', async () => {
    const first = openReadModelFile(path, machine('boot-1'));
    const second = openReadModelFile(path, machine('boot-1'));
    closeReadModelFile(first);
    second.db.close(); // killed
    openReadModelFile(path, machine('boot-2')).db.close();
    expect(warnings).toHaveLength(1);
  });

  it('forgets, on a clean close, the records of processes killed since it opened (what they wrote is synced then)', () => {
    let othersRunning = true;
    const options = machine('boot-1', () => othersRunning);
    openReadModelFile(path, options).db.close(); // killed, while this process still counts it as running
    const survivor = openReadModelFile(path, options);
    othersRunning = false;
    closeReadModelFile(survivor);
    openReadModelFile(path, machine('boot-2')).db.close();
    expect(warnings).toEqual([]);
  });

  it('without a boot id to tell, sets aside a file a process left open, and keeps one a running process holds', () => {
    const held = openReadModelFile(path, machine(undefined));
    const reader = openReadModelFile(path, machine(undefined));
    closeReadModelFile(reader);
    expect(warnings).toEqual([]);
    held.db.close(); // killed
    openReadModelFile(path, machine(undefined, () => false)).db.close();
    expect(warnings).toHaveLength(1);
    expect(existsSync(path)).toBe(true);
  });
});
