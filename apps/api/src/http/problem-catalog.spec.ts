import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROBLEM_CATALOG } from './problem-catalog';
import { TITLES } from './problem';

/**
 * Every problem type the source can raise is in the catalog, with the status it is raised
 * with. The source is scanned for each way a problem is made: `new DomainError(kind, code, ..)`,
 * `new TooSoonError(code, ..)`, `new ProblemException(status, code, ..)` and the timesheet
 * rules' `entryError(code, ..)`. A code that is not a literal must be listed below with
 * every value it can take.
 */
const ROOT = join(__dirname, '../../../..');
const STATUS_OF_KIND: Record<string, number> = { 'not-found': 404, conflict: 409, unprocessable: 422, 'too-soon': 429, gone: 410, invalid: 400 };

/** Codes computed at run time: where, the expression, and what it can be. */
const COMPUTED_CODES: { file: string; expression: string; codes: string[] }[] = [
  { file: 'apps/api/src/shifts-timesheets/shifts-timesheets.queries.ts', expression: '`${kind}-not-found`', codes: ['shift-not-found', 'timesheet-not-found'] },
  // The guard's "no such document" for a portal user outside the document's project, per kind.
  { file: 'apps/api/src/auth/auth.guard.ts', expression: '`${kind}-not-found`', codes: ['shift-not-found', 'timesheet-not-found', 'quote-not-found', 'invoice-not-found'] },
  // CsvFormatError's codes but too-many-rows, which is answered as 413 before this line.
  { file: 'apps/api/src/imports/contact-imports.ts', expression: 'error.code', codes: ['invalid-utf8', 'malformed-csv'] },
  // entryError's own body: each call of entryError is scanned with its literal code.
  { file: 'libs/domain/src/timesheet.ts', expression: 'code', codes: [] },
];

/** What the HTTP layer answers without any of the above: Fastify's and Nest's own errors, and the last resort. */
const FRAMEWORK_CODES = ['bad-request', 'bad-url', 'uri-too-long', 'payload-too-large', 'unsupported-media-type', 'not-found', 'internal-error'];

interface Raised {
  code: string;
  status: number;
  where: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'testing' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function raisedInSource(): { raised: Raised[]; computed: { file: string; expression: string }[] } {
  const raised: Raised[] = [];
  const computed: { file: string; expression: string }[] = [];
  const pattern = /new\s+(DomainError|ProblemException)\(\s*([^,]+?)\s*,\s*([^,]+?)\s*,|new\s+TooSoonError\(\s*([^,]+?)\s*,|(?<!function\s)\bentryError\(\s*([^,]+?)\s*,/g;
  for (const path of [...sourceFiles(join(ROOT, 'apps')), ...sourceFiles(join(ROOT, 'libs'))]) {
    const file = relative(ROOT, path);
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(pattern)) {
      const [, maker, first, second, tooSoonCode, entryCode] = match;
      const where = `${file}:${text.slice(0, match.index).split('\n').length}`;
      let expression: string;
      let status: number;
      if (maker === 'DomainError') {
        expression = second;
        status = STATUS_OF_KIND[first.replace(/'/g, '')];
      } else if (maker === 'ProblemException') {
        expression = second;
        status = Number(first);
      } else if (tooSoonCode !== undefined) {
        expression = tooSoonCode;
        status = 429;
      } else {
        expression = entryCode;
        status = 422;
      }
      const literal = /^'([a-z0-9-]+)'$/.exec(expression);
      if (literal) raised.push({ code: literal[1], status, where });
      else {
        computed.push({ file, expression });
        const known = COMPUTED_CODES.find((c) => c.file === file && c.expression === expression);
        for (const code of known?.codes ?? []) raised.push({ code, status, where });
      }
    }
  }
  return { raised, computed };
}

describe('problem catalog', () => {
  const { raised, computed } = raisedInSource();

  it('finds the problems the source raises (the scan works)', () => {
    expect(raised.length).toBeGreaterThan(150);
    expect(raised).toContainEqual(expect.objectContaining({ code: 'already-invited', status: 409 }));
    expect(raised).toContainEqual(expect.objectContaining({ code: 'resend-cooldown', status: 429 }));
    expect(raised).toContainEqual(expect.objectContaining({ code: 'overlapping-entries', status: 422 }));
    expect(raised).toContainEqual(expect.objectContaining({ code: 'portal-user-limit-reached', status: 409 }));
  });

  it('lists every code the source raises, with the status it is raised with', () => {
    const missing = raised.filter((r) => !(r.code in PROBLEM_CATALOG)).map((r) => `${r.code} (${r.where})`);
    expect(missing).toEqual([]);
    const wrongStatus = raised
      .filter((r) => r.code in PROBLEM_CATALOG && PROBLEM_CATALOG[r.code as keyof typeof PROBLEM_CATALOG].status !== r.status)
      .map((r) => `${r.code}: raised ${r.status} at ${r.where}`);
    expect(wrongStatus).toEqual([]);
  });

  it('knows every code computed at run time, and each listed computation still exists', () => {
    const unknown = computed.filter((c) => !COMPUTED_CODES.some((k) => k.file === c.file && k.expression === c.expression));
    expect(unknown).toEqual([]);
    const stale = COMPUTED_CODES.filter((k) => !computed.some((c) => c.file === k.file && c.expression === k.expression));
    expect(stale).toEqual([]);
  });

  it('lists what the HTTP layer answers by itself', () => {
    for (const code of FRAMEWORK_CODES) expect(PROBLEM_CATALOG).toHaveProperty([code]);
    // Fastify's errors become the type of their status's title: the catalog must use those.
    const slug = (status: number) => TITLES[status].toLowerCase().replace(/[^a-z0-9]+/g, '-');
    expect(['bad-request', 'payload-too-large', 'unsupported-media-type']).toEqual([slug(400), slug(413), slug(415)]);
  });

  it('holds no code nothing raises', () => {
    const known = new Set([...raised.map((r) => r.code), ...FRAMEWORK_CODES]);
    expect(Object.keys(PROBLEM_CATALOG).filter((code) => !known.has(code))).toEqual([]);
  });

  it('says when, in one line, for each', () => {
    for (const [code, definition] of Object.entries(PROBLEM_CATALOG)) {
      expect({ code, ok: definition.when.length > 10 && !definition.when.includes('\n') && definition.status >= 400 && definition.status < 600 }).toEqual({ code, ok: true });
    }
  });
});
