import type { UserTypeModules } from '@app/domain';
import { collection, ProjectionWrite } from './read-store';
import { projectionOf, remove, SomeRowFields, unhandled, upsert } from './projection';

/** A portal as staff list it (docs/read-models.md, `portals_v1`). */
export interface PortalRow {
  id: string;
  organizationId: string;
  /** The organization's first portal. */
  isDefault: boolean;
  name: string;
  slug: string;
  selfRegistration: boolean;
  defaultLanguage: string;
  createdAt: string;
  /** When it, its templates or its user types last changed. */
  updatedAt: string;
}

/** A portal's invitation template in one language (`portal_templates_v1`), keyed `<portalId>:<language>`. */
export interface PortalTemplateRow {
  id: string;
  organizationId: string;
  portalId: string;
  language: string;
  /** The body is read from the portal's stream. */
  subject: string;
  updatedAt: string;
}

/** A portal's user type (`portal_user_types_v1`). */
export interface PortalUserTypeRow {
  id: string;
  organizationId: string;
  portalId: string;
  name: string;
  modules: UserTypeModules;
  createdAt: string;
  updatedAt: string;
}

export const PORTALS_COLLECTION = collection<PortalRow>('portals_v1');
export const PORTAL_TEMPLATES_COLLECTION = collection<PortalTemplateRow>('portal_templates_v1');
export const PORTAL_USER_TYPES_COLLECTION = collection<PortalUserTypeRow>('portal_user_types_v1');

/**
 * The portals of each organization as staff list them: one document per portal (name, slug,
 * self-registration, default language), one per invitation template language, one per user
 * type. Writes are per-document upserts guarded by position, so each event applies once in
 * effect. The commands never read these: the portal streams decide.
 */
export const portalsProjection = projectionOf({
  name: 'portals_v1',
  eventTypes: ['PortalCreated', 'PortalUpdated', 'InvitationTemplateSaved', 'InvitationTemplateRemoved', 'UserTypeDefined', 'UserTypeChanged'],
  collections: [
    { name: PORTALS_COLLECTION, indexes: [['organizationId']] },
    { name: PORTAL_TEMPLATES_COLLECTION, indexes: [['portalId']] },
    { name: PORTAL_USER_TYPES_COLLECTION, indexes: [['portalId']] },
  ],

  project(event) {
    const at = event.metadata.occurredAt;
    const position = event.position;
    const touchPortal = (set: SomeRowFields<PortalRow> = {}): ProjectionWrite => upsert(PORTALS_COLLECTION, event.data.portalId, position, { set: { ...set, updatedAt: at } });
    const templateId = (data: { portalId: string; language: string }) => `${data.portalId}:${data.language}`;

    switch (event.type) {
      case 'PortalCreated': {
        const data = event.data;
        return [
          upsert(PORTALS_COLLECTION, data.portalId, position, {
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
          }),
        ];
      }
      case 'PortalUpdated': {
        const { name, slug, selfRegistration, defaultLanguage } = event.data.changes;
        const set: SomeRowFields<PortalRow> = {};
        if (name !== undefined) set.name = name;
        if (slug !== undefined) set.slug = slug;
        if (selfRegistration !== undefined) set.selfRegistration = selfRegistration;
        if (defaultLanguage !== undefined) set.defaultLanguage = defaultLanguage;
        return [touchPortal(set)];
      }
      case 'InvitationTemplateSaved': {
        const data = event.data;
        return [
          upsert(PORTAL_TEMPLATES_COLLECTION, templateId(data), position, {
            set: { organizationId: event.metadata.organizationId, portalId: data.portalId, language: data.language, subject: data.subject, updatedAt: at },
          }),
          touchPortal(),
        ];
      }
      case 'InvitationTemplateRemoved':
        return [remove(PORTAL_TEMPLATES_COLLECTION, templateId(event.data), position), touchPortal()];
      case 'UserTypeDefined': {
        const data = event.data;
        return [
          upsert(PORTAL_USER_TYPES_COLLECTION, data.userTypeId, position, {
            setOnInsert: { createdAt: at },
            set: { organizationId: event.metadata.organizationId, portalId: data.portalId, name: data.name, modules: data.modules, updatedAt: at },
          }),
          touchPortal(),
        ];
      }
      case 'UserTypeChanged': {
        const { changes } = event.data;
        const set: SomeRowFields<PortalUserTypeRow> = { updatedAt: at };
        if (changes.name !== undefined) set.name = changes.name;
        if (changes.modules !== undefined) set.modules = changes.modules;
        return [upsert(PORTAL_USER_TYPES_COLLECTION, event.data.userTypeId, position, { set }), touchPortal()];
      }
      default:
        return unhandled(event);
    }
  },
});
