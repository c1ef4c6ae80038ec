import { EVENT_SCHEMA_VERSIONS } from '@app/domain';
import { ALL_PROJECTIONS } from './index';
import { handles } from './projection';
import { recordedEvent } from './testing/events';

/**
 * The reader hands each projection only the event types it declares, and the compiler holds
 * its `project` to them (typed-read-models.spec.ts). Here the running side: every projection
 * is given a bare event of every known type it does not declare (from the portal, by a portal
 * user, so that client-action projections look at it too) and must ignore it.
 */
describe('projection event types', () => {
  const known = new Set<string>([...Object.keys(EVENT_SCHEMA_VERSIONS), ...ALL_PROJECTIONS.flatMap((p) => (p.eventTypes === '*' ? [] : [...p.eventTypes]))]);
  const bare = (type: string) =>
    recordedEvent(
      { type, data: { accessId: 'a', contactId: 'c', clientId: 'cl', documentId: 'd', kind: 'quote', changes: { name: 'x' }, author: { kind: 'portal-user', id: 'a', contactId: 'c' } } },
      { organizationId: 'o', actor: { kind: 'portal-user', id: 'a' }, channel: 'portal', at: '2026-01-01T00:00:00.000Z', stream: 'quote-d' },
    );

  for (const projection of ALL_PROJECTIONS.filter((p) => p.eventTypes !== '*')) {
    it(`${projection.name} declares every type it handles`, () => {
      const undeclared = [...known].filter((type) => !handles(projection, type));
      const handledAnyway = undeclared.filter((type) => {
        try {
          return projection.project(bare(type)).length > 0;
        } catch {
          return true; // it looked at the data: it handles the type
        }
      });
      expect(handledAnyway).toEqual([]);
    });
  }

  it('lists only types some event has (no typo)', () => {
    for (const projection of ALL_PROJECTIONS) {
      if (projection.eventTypes === '*') continue;
      for (const type of projection.eventTypes) expect(type).toMatch(/^[A-Z][A-Za-z]+$/);
    }
  });
});
