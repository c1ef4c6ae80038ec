import type { ApiKeyEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { ProjectionWrite } from './read-store';
import { Projection } from './projection';

export const API_KEYS_COLLECTION = 'api_keys_v1';

/** The organization's API keys as staff list them: name, role, prefix, status. No key material. */
export const apiKeysProjection: Projection = {
  name: 'api_keys_v1',
  eventTypes: ['ApiKeyIssued', 'ApiKeyRevoked'] satisfies ApiKeyEvent['type'][],
  collections: [{ name: API_KEYS_COLLECTION, indexes: [['organizationId']] }],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    switch (event.type) {
      case 'ApiKeyIssued':
        return [
          {
            op: 'upsert',
            collection: API_KEYS_COLLECTION,
            id: data.keyId,
            position: event.position,
            setOnInsert: { revokedAt: null },
            set: {
              organizationId: event.metadata.organizationId,
              name: data.name,
              role: data.role,
              prefix: data.prefix,
              status: 'Active',
              createdAt: event.metadata.occurredAt,
              createdBy: event.metadata.actor,
            },
          },
        ];
      case 'ApiKeyRevoked':
        return [
          {
            op: 'upsert',
            collection: API_KEYS_COLLECTION,
            id: data.keyId,
            position: event.position,
            set: { status: 'Revoked', revokedAt: event.metadata.occurredAt },
          },
        ];
      default:
        return [];
    }
  },
};
