import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * One way to write: every command is a typed class (`Command<Result>`) with its handler in the
 * same `*.commands.ts` file, dispatched on the CommandBus; the handlers are the only code that
 * writes through the CommandExecutor, and nothing outside the domain runs a decider's `decide`
 * (a handler checks a rule ahead with the guard the domain exports).
 */
const SOURCE = join(__dirname, '..');

function sources(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [{ path: relative(SOURCE, path), text: readFileSync(path, 'utf8') }] : [];
  });
}

const files = sources(SOURCE);

describe('one write path', () => {
  it('writes through the command executor only in *.commands.ts files', () => {
    const writers = files.filter(({ path, text }) => path !== join('commands', 'command-executor.ts') && /executor\s*\.\s*(execute|executeEach)\s*\(/.test(text));
    expect(writers.length).toBeGreaterThan(10);
    expect(writers.map((f) => f.path).filter((path) => !path.endsWith('.commands.ts'))).toEqual([]);
  });

  it('declares every command a Command<Result> in the file of its handler', () => {
    const handled = files.flatMap(({ path, text }) => [...text.matchAll(/@CommandHandler\((\w+)\)/g)].map((m) => ({ path, text, command: m[1] })));
    expect(handled.length).toBeGreaterThan(50);
    const untyped = handled.filter(({ text, command }) => !new RegExp(`export class ${command} extends Command<`).test(text)).map((h) => `${h.path}: ${h.command}`);
    expect(untyped).toEqual([]);
    expect(handled.map((h) => h.path).filter((path) => !path.endsWith('.commands.ts'))).toEqual([]);
  });

  it('runs no decider outside the domain (no dry runs)', () => {
    const deciding = files.filter(({ path, text }) => path !== join('commands', 'command-executor.ts') && /\.decide\(/.test(text)).map((f) => f.path);
    expect(deciding).toEqual([]);
  });
});
