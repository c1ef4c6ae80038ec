/**
 * The personal data in events, per event type: the data field naming the person (a contact
 * id: its key's id) and the fields that are about that person (names, emails, phone numbers,
 * free-text reasons that may name them). The event store keeps these fields encrypted under
 * the person's key; erasing the person destroys the key (crypto-shredding), after which they
 * read `[erased]`. Declared here, beside the events, so that a new event type with personal
 * data is declared where it is written.
 *
 * Not covered (stated in README, "Erasure"): events written before encryption existed (their
 * plaintext stays readable), and free text about a person in events that are not about a
 * contact (a timesheet's rejection reason, a comment, a self-registration request).
 */
export const PERSONAL_DATA_FIELDS: Record<string, { subject: string; fields: string[] }> = {
  ContactAdded: { subject: 'contactId', fields: ['name', 'email', 'phone'] },
  ContactUpdated: { subject: 'contactId', fields: ['changes.name', 'changes.email', 'changes.phone'] },
  ContactInvited: { subject: 'contactId', fields: ['email'] },
  PortalUsernameChanged: { subject: 'contactId', fields: ['email', 'previousEmail'] },
  PortalAccessDisabled: { subject: 'contactId', fields: ['reason'] },
  PortalAccessRevoked: { subject: 'contactId', fields: ['reason'] },
};
