/**
 * A decider (as in Emmett and Jérémie Chassaing's pattern): the whole behaviour of an
 * aggregate as three pure functions. Nothing here knows about storage, time or HTTP: the
 * command carries the current time and any generated ids.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  type: Type;
  data: Data;
}

export interface Decider<State, Command, Event extends DomainEvent> {
  initialState(): State;
  /** Turns a command into the events it causes, or throws a DomainError. */
  decide(command: Command, state: State): Event[];
  /** Folds one event into the state. Must accept every event the stream ever stored. */
  evolve(state: State, event: Event): State;
}

/** The member of a command (or event) union with this type: what one decide function takes. */
export type OfType<Union extends { type: string }, Type extends Union['type']> = Extract<Union, { type: Type }>;

/** Rebuilds state from a stream's events. */
export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce(decider.evolve, decider.initialState());
}

/** Version of each event's data schema, recorded in the event's metadata. */
export const EVENT_SCHEMA_VERSIONS: Record<string, number> = {
  ClientCompanyRegistered: 1,
  ContactAdded: 1,
  ContactInvited: 4, // v2: userTypeId, language; v3: clientIds; v4: projectIds
  PortalUserTypeChanged: 1,
  PortalAccessCompaniesChanged: 1,
  PortalUsernameChanged: 1,
  InvitationResent: 1,
  InvitationAccepted: 1,
  PortalAccessDisabled: 1,
  PortalAccessEnabled: 1,
  PortalAccessRevoked: 1,
  PortalPasswordResetRequested: 1,
  PortalPasswordChanged: 1,
  PortalPreferencesChanged: 1,
  PortalSessionsEnded: 1,
  OrganizationCreated: 1,
  ApiKeyIssued: 1,
  ApiKeyRevoked: 1,
  ClientCompanyUpdated: 1,
  ClientCompanyArchived: 1,
  ContactUpdated: 1,
  ContactAssociated: 1,
  ContactDissociated: 1,
  ContactPrimaryClientChanged: 1,
  OrganizationSettingsChanged: 2, // v2: notificationLanguage
  PortalCreated: 1,
  PortalUpdated: 1,
  PortalAdded: 1,
  PortalSlugReserved: 1,
  PortalSlugReleased: 1,
  InvitationTemplateSaved: 1,
  InvitationTemplateRemoved: 1,
  UserTypeDefined: 1,
  UserTypeChanged: 1,
  PortalUserSeatTaken: 1,
  PortalUserSeatReleased: 1,
  DocumentMovedToClient: 1,
  AuditExported: 1,
  LogAnchored: 1,
  ContactErased: 1,
  ProjectCreated: 1,
  ProjectUpdated: 1,
  ProjectArchived: 1,
  ClientCompanyAddedToProject: 1,
  ProjectPrimaryClientChanged: 1,
  ClientCompanyRemovedFromProject: 1,
  ClientUserAddedToProject: 1,
  ClientUserRateChanged: 1,
  ClientUserRemovedFromProject: 1,
  ProjectPermissionsCustomized: 1,
  ProjectPermissionsReset: 1,
  ClientUserPortalRateSet: 1,
};
