import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../config';

/**
 * DATA_DIR holds personal data, password hashes and secrets: only the service's own user may
 * read it. From here on, everything this process creates is private (umask 077: directories
 * 0700, files 0600, SQLite's WAL and journal files included); the directory is created 0700;
 * an existing directory or file that others may read is reported at start (it is not
 * changed: the operator may have made it so on purpose).
 */
export async function secureDataDir(config: Pick<AppConfig, 'dataDir'>, warn: (message: string) => void): Promise<string[]> {
  process.umask(0o077);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const wide: string[] = [];
  const check = async (path: string) => {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) wide.push(`${path} (${(mode & 0o777).toString(8).padStart(4, '0')})`);
  };
  await check(config.dataDir);
  for (const entry of await readdir(config.dataDir)) await check(join(config.dataDir, entry));
  if (wide.length > 0) {
    warn(`Readable by other users, though they hold personal data and secrets: ${wide.join(', ')}. Run: chmod -R go-rwx ${config.dataDir}`);
  }
  return wide;
}
