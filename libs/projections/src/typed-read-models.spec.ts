import { join } from 'node:path';
import ts from 'typescript';

/**
 * The read models are typed at both ends: a projection reads its events' data as the domain
 * declares it and writes fields its collection's row type has; a query reads rows of that
 * type. These cases are compiled with the project's own settings (jest only transpiles), so a
 * change that lets a renamed field, an undeclared event type or a forgotten one through fails
 * here.
 */
const ROOT = join(__dirname, '../../..');
const HERE = join(__dirname, '__typecheck__');

const PRELUDE = `
import { collection, ReadStore } from '../read-store';
import { projectionOf, unhandled, upsert } from '../projection';
interface AccessRow { id: string; email: string | null; invitationCount: number }
const ACCESSES = collection<AccessRow>('typecheck_v1');
`;

/** A projection over ContactInvited and InvitationAccepted; `body` is its `project`. */
const projection = (body: string) => `${PRELUDE}
export const typecheck = projectionOf({
  name: 'typecheck_v1',
  eventTypes: ['ContactInvited', 'InvitationAccepted'],
  collections: [{ name: ACCESSES, indexes: [] }],
  project(event) {
${body}
  },
});
`;

const CASES: Record<string, { source: string; error: RegExp | null }> = {
  'a projection that reads its events as declared and writes its row type': {
    source: projection(`
    switch (event.type) {
      case 'ContactInvited':
        return [upsert(ACCESSES, event.data.accessId, event.position, { set: { email: event.data.email }, inc: { invitationCount: 1 } })];
      case 'InvitationAccepted':
        return [upsert(ACCESSES, event.data.accessId, event.position, { set: { email: null } })];
      default:
        return unhandled(event);
    }`),
    error: null,
  },
  'an event field that is not there (renamed)': {
    source: projection(`
    switch (event.type) {
      case 'ContactInvited':
        return [upsert(ACCESSES, event.data.accessId, event.position, { set: { email: event.data.emailAddress } })];
      case 'InvitationAccepted':
        return [];
      default:
        return unhandled(event);
    }`),
    error: /Property 'emailAddress' does not exist/,
  },
  'an event type the projection does not declare': {
    source: projection(`
    switch (event.type) {
      case 'ContactInvited':
      case 'InvitationAccepted':
        return [];
      case 'PortalAccessRevoked':
        return [];
      default:
        return unhandled(event);
    }`),
    error: /'"PortalAccessRevoked"' is not comparable/,
  },
  'a declared event type left unhandled': {
    source: projection(`
    switch (event.type) {
      case 'ContactInvited':
        return [];
      default:
        return unhandled(event);
    }`),
    error: /is not assignable to parameter of type 'never'/,
  },
  'a field the row type does not have': {
    source: projection(`
    return [upsert(ACCESSES, event.data.accessId, event.position, { set: { mail: 'x' } })];`),
    error: /'mail' does not exist/,
  },
  'a field written with another type': {
    source: projection(`
    return [upsert(ACCESSES, event.data.accessId, event.position, { set: { invitationCount: 'one' } })];`),
    error: /Type 'string' is not assignable to type 'number'/,
  },
  'a declared type that is no event': {
    source: `${PRELUDE}
export const typecheck = projectionOf({ name: 'typecheck_v1', eventTypes: ['ContactInvitd'], collections: [], project: () => [] });`,
    error: /'"ContactInvitd"' is not assignable/,
  },
  'a query that reads a field its rows do not have': {
    source: `${PRELUDE}
export async function read(store: ReadStore): Promise<string> {
  const row = await store.get(ACCESSES, 'a');
  return row ? row.emailAddress : '';
}`,
    error: /Property 'emailAddress' does not exist on type 'AccessRow'/,
  },
};

describe('typed read models (compiled with the project settings)', () => {
  const diagnostics = compile(Object.fromEntries(Object.values(CASES).map(({ source }, index) => [join(HERE, `case-${index}.ts`), source])));

  Object.entries(CASES).forEach(([name, { error }], index) => {
    it(error ? `refuses ${name}` : `accepts ${name}`, () => {
      const messages = diagnostics.get(join(HERE, `case-${index}.ts`)) ?? [];
      if (error === null) expect(messages).toEqual([]);
      else expect(messages.some((message) => error.test(message))).toBe(true);
    });
  });
});

/** Type-checks the given files (held in memory) against the repository's sources; the messages per file. */
function compile(files: Record<string, string>): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('tsconfig.json could not be read');
  const options = { ...config.options, noEmit: true, isolatedModules: false };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name in files || fileExists.call(host, name);
  host.readFile = (name) => files[name] ?? readFile.call(host, name);
  host.getSourceFile = (name, language, ...rest) =>
    name in files ? ts.createSourceFile(name, files[name], language, true) : getSourceFile.call(host, name, language, ...rest);
  const program = ts.createProgram(Object.keys(files), options, host);
  const found = new Map<string, string[]>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName;
    if (!file || !(file in files)) continue;
    found.set(file, [...(found.get(file) ?? []), ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')]);
  }
  return found;
}
