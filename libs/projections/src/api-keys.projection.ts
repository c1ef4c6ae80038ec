import type { ApiKeyRole } from '@app/domain';
import { EventMetadata } from '@app/event-store';
import { collection } from './read-store';
import { projectionOf, unhandled, upsert } from './projection';

/** An API key as staff list it: no key material (docs/read-models.md, `api_keys_v1`). */
export interface ApiKeyRow {
  /** The key id. */
  id: string;
  organizationId: string;
  name: string;
  role: ApiKeyRole;
  /** The key's first characters, to recognise it. */
  prefix: string;
  status: 'Active' | 'Revoked';
  createdAt: string;
  createdBy: EventMetadata['actor'];
  revokedAt: string | null;
}

export const API_KEYS_COLLECTION = collection<ApiKeyRow>('api_keys_v1');

/** The organization's API keys as staff list them: name, role, prefix, status. No key material. */
export const apiKeysProjection = projectionOf({
  name: 'api_keys_v1',
  eventTypes: ['ApiKeyIssued', 'ApiKeyRevoked'],
  collections: [{ name: API_KEYS_COLLECTION, indexes: [['organizationId']] }],

  project(event) {
    switch (event.type) {
      case 'ApiKeyIssued':
        return [
          upsert(API_KEYS_COLLECTION, event.data.keyId, event.position, {
            setOnInsert: { revokedAt: null },
            set: {
              organizationId: event.metadata.organizationId,
              name: event.data.name,
              role: event.data.role,
              prefix: event.data.prefix,
              status: 'Active',
              createdAt: event.metadata.occurredAt,
              createdBy: event.metadata.actor,
            },
          }),
        ];
      case 'ApiKeyRevoked':
        return [upsert(API_KEYS_COLLECTION, event.data.keyId, event.position, { set: { status: 'Revoked', revokedAt: event.metadata.occurredAt } })];
      default:
        return unhandled(event);
    }
  },
});
