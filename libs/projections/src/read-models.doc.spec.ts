import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_PROJECTIONS } from './index';
import { handles, Projection } from './projection';
import { richHistory } from './testing/rich-history';

/**
 * docs/read-models.md is the contract of the read models for whoever reads them directly.
 * Every projection runs over a generated history holding every event type the projections
 * handle; every field of every write (nested ones as `a.b`) must be listed under its
 * collection with its JSON type, every listed field must be written, and each collection's
 * owner, version and indexes must be as listed.
 */

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

interface DocumentedCollection {
  name: string;
  sqlite: string | undefined;
  mongo: string | undefined;
  owner: string | undefined;
  version: number | undefined;
  indexes: string[];
  fields: Map<string, { types: Set<JsonType>; anyKeys: boolean }>;
}

const PAGE = join(__dirname, '../../../docs/read-models.md');

function parsePage(text: string): Map<string, DocumentedCollection> {
  const collections = new Map<string, DocumentedCollection>();
  for (const section of text.split(/^### /m).slice(1)) {
    const name = /^`([a-z0-9_]+)`/.exec(section)?.[1];
    if (!name) continue;
    const row = (label: string) => new RegExp(`^\\| ${label} \\| (.+) \\|$`, 'm').exec(section)?.[1];
    const owner = /projection `([a-z0-9_]+)`, version (\d+)/.exec(row('Owner') ?? '');
    const indexes = [...(row('Indexes') ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1].split(', ').join(','));
    const fields = new Map<string, { types: Set<JsonType>; anyKeys: boolean }>();
    for (const match of section.matchAll(/^\| `([A-Za-z0-9_.]+)` \| ([^|]+) \| .+ \|$/gm)) {
      const alternatives = match[2].trim().split(' or ');
      const types = new Set(alternatives.map((alternative) => alternative.split(' ')[0] as JsonType));
      fields.set(match[1], { types, anyKeys: match[2].includes('(any keys)') });
    }
    collections.set(name, {
      name,
      sqlite: /table `rm_([a-z0-9_]+)`/.exec(row('SQLite') ?? '')?.[1],
      mongo: /collection `([a-z0-9_]+)`/.exec(row('MongoDB') ?? '')?.[1],
      owner: owner?.[1],
      version: owner ? Number(owner[2]) : undefined,
      indexes,
      fields,
    });
  }
  return collections;
}

const jsonType = (value: unknown): JsonType => (value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as JsonType));

/** Every field path each collection's writes hold, with the JSON types seen. */
function writtenFields(projections: Projection[], documented: Map<string, DocumentedCollection>) {
  const events = richHistory();
  const written = new Map<string, Map<string, Set<JsonType>>>();
  const foreign: string[] = [];
  const walk = (collection: string, fields: Map<string, Set<JsonType>>, prefix: string, values: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(values ?? {})) {
      if (value === undefined || (prefix === '' && key === 'id')) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      if (!fields.has(path)) fields.set(path, new Set());
      fields.get(path)!.add(jsonType(value));
      if (jsonType(value) === 'object' && !documented.get(collection)?.fields.get(path)?.anyKeys) walk(collection, fields, path, value as Record<string, unknown>);
    }
  };
  for (const projection of projections) {
    const own = new Set(projection.collections.map((c) => c.name));
    for (const event of events) {
      if (!handles(projection, event.type)) continue;
      for (const write of projection.project(event)) {
        if (!own.has(write.collection)) foreign.push(`${projection.name} writes ${write.collection}`);
        if (!written.has(write.collection)) written.set(write.collection, new Map());
        const fields = written.get(write.collection)!;
        if (write.op === 'insert') walk(write.collection, fields, '', write.doc);
        if (write.op === 'upsert') {
          walk(write.collection, fields, '', write.set);
          walk(write.collection, fields, '', write.setOnInsert);
          walk(write.collection, fields, '', Object.fromEntries(Object.keys(write.inc ?? {}).map((key) => [key, 0])));
        }
      }
    }
  }
  return { written, foreign, events };
}

describe('docs/read-models.md', () => {
  const documented = parsePage(readFileSync(PAGE, 'utf8'));
  const { written, foreign, events } = writtenFields(ALL_PROJECTIONS, documented);
  const collections = ALL_PROJECTIONS.flatMap((projection) => projection.collections.map((spec) => ({ projection, spec })));

  it('is run over a history holding every event type the projections handle (extend testing/rich-history.ts for a new one)', () => {
    const seen = new Set(events.map((event) => event.type));
    const declared = new Set(ALL_PROJECTIONS.flatMap((p) => (p.eventTypes === '*' ? [] : [...p.eventTypes])));
    expect([...declared].filter((type) => !seen.has(type)).sort()).toEqual([]);
  });

  it('lists every collection of every projection, and nothing else', () => {
    expect([...documented.keys()].sort()).toEqual(collections.map((c) => c.spec.name).sort());
    expect(foreign).toEqual([]);
  });

  it('names each collection’s table, MongoDB collection, owner, version and indexes as the code has them', () => {
    for (const { projection, spec } of collections) {
      const page = documented.get(spec.name);
      const version = Number(/_v(\d+)$/.exec(projection.name)?.[1]);
      expect({ collection: spec.name, sqlite: page?.sqlite, mongo: page?.mongo, owner: page?.owner, version: page?.version }).toEqual({
        collection: spec.name,
        sqlite: spec.name,
        mongo: spec.name,
        owner: projection.name,
        version,
      });
      expect({ collection: spec.name, indexes: [...(page?.indexes ?? [])].sort() }).toEqual({ collection: spec.name, indexes: spec.indexes.map((fields) => fields.join(',')).sort() });
    }
  });

  it('lists every field a projection writes, with its type', () => {
    const missing: string[] = [];
    for (const [collection, fields] of written) {
      const page = documented.get(collection);
      for (const [path, types] of fields) {
        const listed = page?.fields.get(path);
        if (!listed) missing.push(`${collection}: ${path} (${[...types].join(' or ')}) is not listed`);
        else for (const type of types) if (!listed.types.has(type)) missing.push(`${collection}: ${path} is written as ${type}, listed as ${[...listed.types].join(' or ')}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists no field that is never written (and every document’s id)', () => {
    const stale: string[] = [];
    for (const [collection, page] of documented) {
      if (!page.fields.has('id')) stale.push(`${collection}: id is not listed`);
      for (const path of page.fields.keys()) if (path !== 'id' && !written.get(collection)?.has(path)) stale.push(`${collection}: ${path} is listed but never written`);
    }
    expect(stale).toEqual([]);
  });
});
