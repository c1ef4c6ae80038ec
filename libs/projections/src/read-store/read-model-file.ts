import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';

/**
 * The read-model file is derived data, rebuilt from the log at will, so it is written without
 * fsync (`synchronous = OFF`): its large page writes then no longer hold up the log's own
 * commits on the same disk (measured: +10-20 % commands/s). A process that dies loses nothing
 * (what it wrote is in the OS's hands); only an OS crash or a power loss can leave the file
 * torn or with some rows older than its checkpoints. So each connection records itself
 * durably when it opens (the machine's boot id and its pid) and removes that record when it
 * closes, after making everything durable. A file that still holds a record from an earlier
 * boot was in use when the machine went down: it is set aside, and the projections rebuild a
 * new one from the log.
 */
export interface ReadModelFileOptions {
  /** Changes whenever the OS restarts (Linux: the kernel's boot id); undefined where unknown. */
  bootId?: () => string | undefined;
  /** Whether a process of this machine is still running. */
  isRunning?: (pid: number) => boolean;
  /** Told the path a file was set aside to. */
  warn?: (message: string) => void;
}

export interface OpenedReadModelFile {
  db: Database.Database;
  /** This connection's record in the file. */
  connectionId: string;
  /** Forgets the records of processes of this boot that ended without closing. */
  forgetEnded: () => void;
}

const CONNECTIONS_TABLE = `CREATE TABLE IF NOT EXISTS read_store_connections (
  id TEXT PRIMARY KEY,
  boot_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  opened_at TEXT NOT NULL
)`;

interface ConnectionRow {
  id: string;
  boot_id: string;
  pid: number;
}

export function openReadModelFile(path: string, options: ReadModelFileOptions = {}): OpenedReadModelFile {
  const bootId = (options.bootId ?? linuxBootId)() ?? '';
  const isRunning = options.isRunning ?? processIsRunning;
  for (let attempt = 1; ; attempt++) {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      // Another connection (a second process on the same file) holding the write lock waits, not fails.
      db.pragma('busy_timeout = 5000');
      // This connection's record is durable before anything is written unsynced.
      db.pragma('synchronous = FULL');
      db.exec(CONNECTIONS_TABLE);
      const connectionId = randomUUID();
      const forgetEnded = () => {
        // Processes of this boot that ended without closing: the OS kept what they wrote.
        const rows = db.prepare<[string], ConnectionRow>('SELECT id, boot_id, pid FROM read_store_connections WHERE boot_id = ?').all(bootId);
        const forget = db.prepare<[string]>('DELETE FROM read_store_connections WHERE id = ?');
        for (const row of rows) if (!isRunning(row.pid)) forget.run(row.id);
      };
      const torn = db.transaction(() => {
        const rows = db.prepare<[], ConnectionRow>('SELECT id, boot_id, pid FROM read_store_connections').all();
        // In use when the OS last went down (or, with no boot id to tell, by a process now gone).
        if (rows.some((row) => row.boot_id !== bootId || (bootId === '' && !isRunning(row.pid)))) return true;
        forgetEnded();
        db.prepare('INSERT INTO read_store_connections (id, boot_id, pid, opened_at) VALUES (?, ?, ?, ?)').run(connectionId, bootId, process.pid, new Date().toISOString());
        return false;
      }).immediate();
      if (!torn) {
        db.pragma('synchronous = OFF');
        return { db, connectionId, forgetEnded };
      }
    } catch (error) {
      db.close();
      throw error;
    }
    db.close();
    if (attempt > 1) throw new Error(`The read-model file ${path} could not be set aside`);
    const aside = `${path}.unclean-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
    (options.warn ?? console.warn)(
      `The read models in ${path} were open when the machine went down (they are written without fsync): set aside as ${aside}; the projections rebuild them from the log`,
    );
  }
}

/**
 * Makes everything written through the file durable, then removes this connection's record.
 * The checkpoint waits (up to the busy timeout) for other connections' reads to end; if one
 * still keeps the log from being copied back in full, the record stays, and the file is set
 * aside should the machine go down before a later clean close.
 */
export function closeReadModelFile({ db, connectionId, forgetEnded }: OpenedReadModelFile): void {
  if (!db.open) return;
  try {
    db.pragma('synchronous = FULL');
    // A frame to copy back, so that the checkpoint below syncs the database file (which also
    // flushes the pages earlier unsynced checkpoints wrote there).
    db.prepare('UPDATE read_store_connections SET opened_at = opened_at WHERE id = ?').run(connectionId);
    const [result] = db.pragma('wal_checkpoint(FULL)') as { busy: number; log: number; checkpointed: number }[];
    if (result.busy === 0 && result.log === result.checkpointed) {
      db.transaction(() => {
        db.prepare('DELETE FROM read_store_connections WHERE id = ?').run(connectionId);
        // Those of processes killed since this one opened: what they wrote was synced just now.
        forgetEnded();
      })();
    }
  } finally {
    db.close();
  }
}

function linuxBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process that has ended but was not yet reaped by its parent (a zombie) answers too.
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc to ask: it answered the signal
  }
}
