import type { PortalEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { ProjectionWrite } from './read-store';
import { Projection } from './projection';

export const PORTALS_COLLECTION = 'portals_v1';
export const PORTAL_TEMPLATES_COLLECTION = 'portal_templates_v1';
export const PORTAL_USER_TYPES_COLLECTION = 'portal_user_types_v1';

/**
 * The portals of each organization as staff list them: one document per portal (name, slug,
 * self-registration, default language), one per invitation template language, one per user
 * type. Writes are per-document upserts guarded by position, so each event applies once in
 * effect. The commands never read these: the portal streams decide.
 */
export const portalsProjection: Projection = {
  name: 'portals_v1',
  eventTypes: ['PortalCreated', 'PortalUpdated', 'InvitationTemplateSaved', 'InvitationTemplateRemoved', 'UserTypeDefined', 'UserTypeChanged'] satisfies PortalEvent['type'][],
  collections: [
    { name: PORTALS_COLLECTION, indexes: [['organizationId']] },
    { name: PORTAL_TEMPLATES_COLLECTION, indexes: [['portalId']] },
    { name: PORTAL_USER_TYPES_COLLECTION, indexes: [['portalId']] },
  ],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const at = event.metadata.occurredAt;
    const touchPortal = (set: Record<string, unknown> = {}): ProjectionWrite => ({
      op: 'upsert',
      collection: PORTALS_COLLECTION,
      id: data.portalId,
      position: event.position,
      set: { ...set, updatedAt: at },
    });

    switch (event.type) {
      case 'PortalCreated':
        return [
          {
            op: 'upsert',
            collection: PORTALS_COLLECTION,
            id: data.portalId,
            position: event.position,
            setOnInsert: { createdAt: at },
            set: {
              organizationId: data.organizationId,
              isDefault: data.isDefault === true,
              name: data.name,
              slug: data.slug,
              selfRegistration: data.selfRegistration,
              defaultLanguage: data.defaultLanguage,
              updatedAt: at,
            },
          },
        ];
      case 'PortalUpdated': {
        const changes = data.changes as Record<string, unknown>;
        const set: Record<string, unknown> = {};
        for (const field of ['name', 'slug', 'selfRegistration', 'defaultLanguage']) {
          if (changes[field] !== undefined) set[field] = changes[field];
        }
        return [touchPortal(set)];
      }
      case 'InvitationTemplateSaved':
        return [
          {
            op: 'upsert',
            collection: PORTAL_TEMPLATES_COLLECTION,
            id: `${data.portalId}:${data.language}`,
            position: event.position,
            set: { organizationId: event.metadata.organizationId, portalId: data.portalId, language: data.language, subject: data.subject, updatedAt: at },
          },
          touchPortal(),
        ];
      case 'InvitationTemplateRemoved':
        return [
          { op: 'delete', collection: PORTAL_TEMPLATES_COLLECTION, id: `${data.portalId}:${data.language}`, position: event.position },
          touchPortal(),
        ];
      case 'UserTypeDefined':
        return [
          {
            op: 'upsert',
            collection: PORTAL_USER_TYPES_COLLECTION,
            id: data.userTypeId,
            position: event.position,
            setOnInsert: { createdAt: at },
            set: { organizationId: event.metadata.organizationId, portalId: data.portalId, name: data.name, modules: data.modules, updatedAt: at },
          },
          touchPortal(),
        ];
      case 'UserTypeChanged': {
        const changes = data.changes as Record<string, unknown>;
        const set: Record<string, unknown> = { updatedAt: at };
        if (changes.name !== undefined) set.name = changes.name;
        if (changes.modules !== undefined) set.modules = changes.modules;
        return [{ op: 'upsert', collection: PORTAL_USER_TYPES_COLLECTION, id: data.userTypeId, position: event.position, set }, touchPortal()];
      }
      default:
        return [];
    }
  },
};
