import { fold } from './decider';
import { DomainError } from './errors';
import { assertMayAcceptInvitation, assertMayInvite, assertMayResetPassword, PortalAccessEvent, portalAccess, portalAccessId } from './portal-access';
import { deciderSpec } from './testing/decider-spec';

const spec = deciderSpec(portalAccess);
const accessId = 'a-1';
const contactId = 'c-1';
const t0 = '2026-01-01T00:00:00.000Z';
const hoursLater = (h: number) => new Date(Date.parse(t0) + h * 3600_000).toISOString();
const invitation = (id: string, sentAt = t0, ttlHours = 168) => ({
  invitationId: id,
  sentAt,
  expiresAt: new Date(Date.parse(sentAt) + ttlHours * 3600_000).toISOString(),
});

const invited = (id = 'inv-1', sentAt = t0): PortalAccessEvent => ({
  type: 'ContactInvited',
  data: { accessId, portalId: 'default', contactId, clientId: 'cl-1', email: 'ana@example.com', ...invitation(id, sentAt) },
});
const accepted = (id = 'inv-1'): PortalAccessEvent => ({ type: 'InvitationAccepted', data: { accessId, contactId, invitationId: id } });
const disabled = (previousStatus: 'Invited' | 'Active'): PortalAccessEvent => ({
  type: 'PortalAccessDisabled',
  data: { accessId, contactId, reason: null, previousStatus },
});
const invite = (email: string | null = 'ana@example.com') => ({
  type: 'InviteContact' as const,
  accessId,
  portalId: 'default',
  contact: { contactId, clientIds: ['cl-1'], email },
  invitation: invitation('inv-1'),
});

describe('portal access', () => {
  describe('InviteContact', () => {
    const v2 = (event: PortalAccessEvent, extra: { userTypeId: string | null; language: string | null }) =>
      ({ ...event, data: { ...event.data, clientIds: ['cl-1'], ...extra } }) as PortalAccessEvent;
    it('invites a contact that has an email', () => spec.given([]).when(invite()).then([v2(invited(), { userTypeId: null, language: null })]));
    it('records the user type and the language of the invitation', () =>
      spec
        .given([])
        .when({ ...invite(), userTypeId: 'ut-1', language: 'pt-BR' })
        .then([v2(invited(), { userTypeId: 'ut-1', language: 'pt-BR' })]));
    it('refuses a language that is not a known tag', () => spec.given([]).when({ ...invite(), language: 'xx-Klingon' }).thenThrows('invalid-language'));
    it('refuses a contact without an email', () => spec.given([]).when(invite(null)).thenThrows('contact-has-no-email'));
    it('records every company the contact acts for, the first one as its company', () =>
      spec
        .given([])
        .when({ ...invite(), contact: { contactId, clientIds: ['cl-2', 'cl-1'], email: 'ana@example.com' } })
        .then([{ ...invited(), data: { ...invited().data, clientId: 'cl-2', clientIds: ['cl-2', 'cl-1'], userTypeId: null, language: null } } as PortalAccessEvent]));
    it('refuses a contact whose companies are all archived', () =>
      spec.given([]).when({ ...invite(), contact: { contactId, clientIds: [], email: 'ana@example.com' } }).thenThrows('contact-has-no-active-client'));
    it('refuses when already invited', () => spec.given([invited()]).when(invite()).thenThrows('already-invited', { currentStatus: 'Invited' }));
    it('refuses when already active', () =>
      spec.given([invited(), accepted()]).when(invite()).thenThrows('already-invited', { currentStatus: 'Active' }));
    it('refuses when disabled: enable instead', () =>
      spec.given([invited(), disabled('Invited')]).when(invite()).thenThrows('portal-access-disabled'));
  });

  describe('RecordPortalAccessCompanies', () => {
    const record = (clientIds: string[]) => ({ type: 'RecordPortalAccessCompanies' as const, clientIds, cause: 'contact-associated' as const });
    const changed = (clientIds: string[], previousClientIds: string[], cause: 'contact-associated' | 'client-archived' = 'contact-associated'): PortalAccessEvent => ({
      type: 'PortalAccessCompaniesChanged',
      data: { accessId, contactId, clientIds, previousClientIds, cause },
    });
    it('records the companies the access acts for when they changed', () =>
      spec.given([invited(), accepted()]).when(record(['cl-1', 'cl-2'])).then([changed(['cl-1', 'cl-2'], ['cl-1'])]));
    it('follows every change from the last one recorded (an invitation from before v3 acts for its one company)', () =>
      spec.given([invited(), changed(['cl-2'], ['cl-1'])]).when(record(['cl-3', 'cl-2'])).then([changed(['cl-3', 'cl-2'], ['cl-2'])]));
    it('writes nothing when nothing changed (a repeated follow)', () =>
      spec.given([invited(), changed(['cl-1', 'cl-2'], ['cl-1'])]).when(record(['cl-1', 'cl-2'])).then([]));
    it('records a new primary company (the order changed)', () =>
      spec.given([invited(), changed(['cl-1', 'cl-2'], ['cl-1'])]).when(record(['cl-2', 'cl-1'])).then([changed(['cl-2', 'cl-1'], ['cl-1', 'cl-2'])]));
    it('follows a disabled access too (it may be enabled again)', () =>
      spec.given([invited(), disabled('Invited')]).when(record(['cl-2'])).then([changed(['cl-2'], ['cl-1'])]));
    it('writes nothing for a revoked access', () =>
      spec
        .given([invited(), { type: 'PortalAccessRevoked', data: { accessId, contactId, reason: null, previousStatus: 'Invited', notify: false } }])
        .when(record(['cl-2']))
        .then([]));
    it('refuses no company at all: such an access is revoked instead', () => spec.given([invited()]).when(record([])).thenThrows('no-active-client'));
    it('refuses an access that does not exist', () => spec.given([]).when(record(['cl-1'])).thenThrows('portal-access-not-found'));
  });

  describe('ResendInvitation', () => {
    const resend = (hours: number) => ({ type: 'ResendInvitation' as const, invitation: invitation('inv-2', hoursLater(hours)), cooldownSeconds: 86400, email: 'ana@example.com' });
    it('re-sends after the cool-down with a new invitation superseding the old one', () =>
      spec.given([invited()]).when(resend(24)).then([
        {
          type: 'InvitationResent',
          data: { accessId, contactId, supersedes: 'inv-1', ...invitation('inv-2', hoursLater(24)) },
        },
      ]));
    it('refuses before the cool-down, saying how long to wait', () =>
      spec.given([invited()]).when(resend(23)).thenThrows('resend-cooldown', { retryAfterSeconds: 3600 }));
    it('counts the cool-down from the last re-send', () =>
      spec
        .given([invited(), { type: 'InvitationResent', data: { accessId, contactId, supersedes: 'inv-1', ...invitation('inv-2', hoursLater(30)) } }])
        .when({ type: 'ResendInvitation', invitation: invitation('inv-3', hoursLater(40)), cooldownSeconds: 86400, email: 'ana@example.com' })
        .thenThrows('resend-cooldown', { retryAfterSeconds: 14 * 3600 }));
    it('refuses when the access is not pending', () =>
      spec.given([invited(), accepted()]).when(resend(48)).thenThrows('not-invited'));
    it('refuses when there is no access', () => spec.given([]).when(resend(48)).thenThrows('portal-access-not-found'));
    it('refuses when the contact has no email any more', () =>
      spec.given([invited()]).when({ ...resend(48), email: null }).thenThrows('contact-has-no-email'));
  });

  describe('AcceptInvitation', () => {
    const accept = (id: string, hours = 1) => ({ type: 'AcceptInvitation' as const, invitationId: id, now: hoursLater(hours) });
    it('activates the access', () => spec.given([invited()]).when(accept('inv-1')).then([accepted()]));
    it('refuses a used invitation', () => spec.given([invited(), accepted()]).when(accept('inv-1')).thenThrows('invitation-not-valid', { reason: 'used' }));
    it('refuses a superseded invitation', () =>
      spec
        .given([invited(), { type: 'InvitationResent', data: { accessId, contactId, supersedes: 'inv-1', ...invitation('inv-2', hoursLater(25)) } }])
        .when(accept('inv-1', 26))
        .thenThrows('invitation-not-valid', { reason: 'superseded' }));
    it('refuses an expired invitation', () =>
      spec.given([invited()]).when(accept('inv-1', 168)).thenThrows('invitation-not-valid', { reason: 'expired' }));
    it('refuses while access is disabled', () =>
      spec.given([invited(), disabled('Invited')]).when(accept('inv-1')).thenThrows('invitation-not-valid', { reason: 'access-not-invited' }));
  });

  describe('DisablePortalAccess / EnablePortalAccess', () => {
    it('disables invited access, keeping the reason', () =>
      spec.given([invited()]).when({ type: 'DisablePortalAccess', reason: ' left the company ' }).then([
        { type: 'PortalAccessDisabled', data: { accessId, contactId, reason: 'left the company', previousStatus: 'Invited' } },
      ]));
    it('disables active access', () =>
      spec.given([invited(), accepted()]).when({ type: 'DisablePortalAccess' }).then([disabled('Active')]));
    it('refuses to disable twice', () =>
      spec.given([invited(), disabled('Invited')]).when({ type: 'DisablePortalAccess' }).thenThrows('cannot-disable'));
    it('refuses to disable what does not exist', () =>
      spec.given([]).when({ type: 'DisablePortalAccess' }).thenThrows('portal-access-not-found'));
    it('enables back to Active when the invitation had been accepted', () =>
      spec.given([invited(), accepted(), disabled('Active')]).when({ type: 'EnablePortalAccess', invitation: invitation('inv-9', hoursLater(2)), email: 'ana@example.com' }).then([
        { type: 'PortalAccessEnabled', data: { accessId, contactId, status: 'Active', invitationId: null, sentAt: null, expiresAt: null } },
      ]));
    it('enables back to Invited with a fresh invitation otherwise', () =>
      spec.given([invited(), disabled('Invited')]).when({ type: 'EnablePortalAccess', invitation: invitation('inv-9', hoursLater(2)), email: 'ana@example.com' }).then([
        { type: 'PortalAccessEnabled', data: { accessId, contactId, status: 'Invited', ...invitation('inv-9', hoursLater(2)) } },
      ]));
    it('the fresh invitation can be accepted, the old one cannot', () => {
      const history: PortalAccessEvent[] = [
        invited(),
        disabled('Invited'),
        { type: 'PortalAccessEnabled', data: { accessId, contactId, status: 'Invited', ...invitation('inv-9', hoursLater(2)) } },
      ];
      spec.given(history).when({ type: 'AcceptInvitation', invitationId: 'inv-9', now: hoursLater(3) }).then([accepted('inv-9')]);
      spec.given(history).when({ type: 'AcceptInvitation', invitationId: 'inv-1', now: hoursLater(3) }).thenThrows('invitation-not-valid', { reason: 'superseded' });
    });
    it('refuses to go back to Invited when the contact has no email any more', () =>
      spec.given([invited(), disabled('Invited')]).when({ type: 'EnablePortalAccess', invitation: invitation('inv-9'), email: null }).thenThrows('contact-has-no-email'));
    it('goes back to Active without an email: nothing is sent', () =>
      spec.given([invited(), accepted(), disabled('Active')]).when({ type: 'EnablePortalAccess', invitation: invitation('inv-9'), email: null }).then([
        { type: 'PortalAccessEnabled', data: { accessId, contactId, status: 'Active', invitationId: null, sentAt: null, expiresAt: null } },
      ]));
    it('refuses to enable access that is not disabled', () =>
      spec.given([invited()]).when({ type: 'EnablePortalAccess', invitation: invitation('inv-9'), email: 'ana@example.com' }).thenThrows('not-disabled'));
  });

  it('derives one stable access id per portal and contact', () => {
    expect(portalAccessId('default', 'c-1')).toBe(portalAccessId('default', 'c-1'));
    expect(portalAccessId('default', 'c-1')).not.toBe(portalAccessId('default', 'c-2'));
    expect(portalAccessId('p-2', 'c-1')).not.toBe(portalAccessId('default', 'c-1'));
    expect(portalAccessId('default', 'c-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  describe('ChangePortalUserType', () => {
    const change = (userTypeId: string | null) => ({ type: 'ChangePortalUserType' as const, userTypeId });
    it('changes the user type of an access', () =>
      spec
        .given([invited(), accepted()])
        .when(change('ut-2'))
        .then([{ type: 'PortalUserTypeChanged', data: { accessId, contactId, userTypeId: 'ut-2', previousUserTypeId: null } }]));
    it('writes nothing when the type is the same', () =>
      spec.given([invited(), accepted(), { type: 'PortalUserTypeChanged', data: { accessId, contactId, userTypeId: 'ut-2', previousUserTypeId: null } }]).when(change('ut-2')).then([]));
    it('refuses an access that does not exist', () => spec.given([]).when(change('ut-2')).thenThrows('portal-access-not-found'));
    it('refuses a revoked access', () =>
      spec
        .given([invited(), { type: 'PortalAccessRevoked', data: { accessId, contactId, reason: null, previousStatus: 'Invited', notify: false } }])
        .when(change('ut-2'))
        .thenThrows('access-revoked'));
  });
  describe('ChangePortalUsername', () => {
    const change = (email: string) => ({ type: 'ChangePortalUsername' as const, email });
    it('follows the contact to its new email, lower-cased', () =>
      spec
        .given([invited(), accepted()])
        .when(change('Ana.Souza@Example.com'))
        .then([{ type: 'PortalUsernameChanged', data: { accessId, contactId, email: 'ana.souza@example.com', previousEmail: 'ana@example.com' } }]));
    it('writes nothing for the same email', () => spec.given([invited()]).when(change('ANA@example.com')).then([]));
    it('writes nothing for a revoked access', () =>
      spec
        .given([invited(), { type: 'PortalAccessRevoked', data: { accessId, contactId, reason: null, previousStatus: 'Invited', notify: false } }])
        .when(change('new@example.com'))
        .then([]));
    it('refuses an access that does not exist', () => spec.given([]).when(change('new@example.com')).thenThrows('portal-access-not-found'));
  });

  describe('sessions', () => {
    const enabled: PortalAccessEvent = { type: 'PortalAccessEnabled', data: { accessId, contactId, status: 'Active', invitationId: null, sentAt: null, expiresAt: null } };
    const ended: PortalAccessEvent = { type: 'PortalSessionsEnded', data: { accessId, contactId } };
    /** Whether a session begun after `before` events is still valid after all of `history`. */
    const valid = (before: PortalAccessEvent[], after: PortalAccessEvent[]) =>
      fold(portalAccess, before).eventCount >= fold(portalAccess, [...before, ...after]).sessionsValidFrom;

    it('end with a disable, and enabling the access again does not bring them back', () => {
      expect(valid([invited(), accepted()], [])).toBe(true);
      expect(valid([invited(), accepted()], [disabled('Active'), enabled])).toBe(false);
      expect(valid([invited(), accepted(), disabled('Active'), enabled], [])).toBe(true);
    });
    it('end with a revoke, a password change or a sign-out everywhere; not with a preference change', () => {
      const revoked: PortalAccessEvent = { type: 'PortalAccessRevoked', data: { accessId, contactId, reason: null, previousStatus: 'Active', notify: false } };
      const passwordChanged: PortalAccessEvent = { type: 'PortalPasswordChanged', data: { accessId, contactId, requestId: 'r-1' } };
      const preferences: PortalAccessEvent = { type: 'PortalPreferencesChanged', data: { accessId, contactId, changes: { language: 'fr' } } };
      for (const event of [revoked, passwordChanged, ended]) expect(valid([invited(), accepted()], [event])).toBe(false);
      expect(valid([invited(), accepted()], [preferences])).toBe(true);
    });
    it('are ended everywhere by an Active user only', () => {
      spec.given([invited(), accepted()]).when({ type: 'EndPortalSessions' }).then([ended]);
      spec.given([invited(), accepted(), disabled('Active')]).when({ type: 'EndPortalSessions' }).thenThrows('access-not-active');
    });
  });

  describe('guards (what a handler checks before it takes a seat or touches a password)', () => {
    const refusal = (check: () => unknown) => {
      try {
        check();
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return { code: (error as DomainError).code, reason: (error as DomainError).details.reason };
      }
      return null;
    };
    const state = (...history: PortalAccessEvent[]) => fold(portalAccess, history);
    const contact = { clientIds: ['cl-1'], email: 'ana@example.com' };

    it('assertMayInvite: refuses what InviteContact refuses, and nothing else', () => {
      expect(refusal(() => assertMayInvite(state(), contact, 'pt-BR'))).toBeNull();
      expect(refusal(() => assertMayInvite(state(invited()), contact))).toEqual({ code: 'already-invited', reason: undefined });
      expect(refusal(() => assertMayInvite(state(invited(), disabled('Invited')), contact))).toMatchObject({ code: 'portal-access-disabled' });
      expect(refusal(() => assertMayInvite(state(), { ...contact, email: null }))).toMatchObject({ code: 'contact-has-no-email' });
      expect(refusal(() => assertMayInvite(state(), { ...contact, clientIds: [] }))).toMatchObject({ code: 'contact-has-no-active-client' });
      expect(refusal(() => assertMayInvite(state(), contact, 'xx-Klingon'))).toMatchObject({ code: 'invalid-language' });
    });

    it('assertMayAcceptInvitation: the current invitation, unused, unexpired, on an Invited access', () => {
      expect(assertMayAcceptInvitation(state(invited()), 'inv-1', hoursLater(1))).toEqual({ accessId, contactId });
      expect(refusal(() => assertMayAcceptInvitation(state(), 'inv-1', hoursLater(1)))).toMatchObject({ code: 'portal-access-not-found' });
      expect(refusal(() => assertMayAcceptInvitation(state(invited(), accepted()), 'inv-1', hoursLater(1)))).toEqual({ code: 'invitation-not-valid', reason: 'used' });
      expect(refusal(() => assertMayAcceptInvitation(state(invited()), 'inv-0', hoursLater(1)))).toEqual({ code: 'invitation-not-valid', reason: 'superseded' });
      expect(refusal(() => assertMayAcceptInvitation(state(invited(), disabled('Invited')), 'inv-1', hoursLater(1)))).toEqual({
        code: 'invitation-not-valid',
        reason: 'access-not-invited',
      });
      expect(refusal(() => assertMayAcceptInvitation(state(invited()), 'inv-1', hoursLater(168)))).toEqual({ code: 'invitation-not-valid', reason: 'expired' });
    });

    it('assertMayResetPassword: the latest request, unused, unexpired, on an Active access', () => {
      const requested = (requestId: string, hours = 2): PortalAccessEvent => ({
        type: 'PortalPasswordResetRequested',
        data: { accessId, contactId, requestId, expiresAt: hoursLater(hours) },
      });
      const changed: PortalAccessEvent = { type: 'PortalPasswordChanged', data: { accessId, contactId, requestId: 'r-1' } };
      expect(assertMayResetPassword(state(invited(), accepted(), requested('r-1')), 'r-1', hoursLater(1))).toEqual({ accessId, contactId });
      expect(refusal(() => assertMayResetPassword(state(invited(), accepted(), requested('r-1'), changed), 'r-1', hoursLater(1)))).toEqual({ code: 'invitation-not-valid', reason: 'used' });
      expect(refusal(() => assertMayResetPassword(state(invited(), accepted(), requested('r-1'), requested('r-2')), 'r-1', hoursLater(1)))).toMatchObject({ reason: 'superseded' });
      expect(refusal(() => assertMayResetPassword(state(invited(), accepted(), requested('r-1'), disabled('Active')), 'r-1', hoursLater(1)))).toMatchObject({ reason: 'access-not-active' });
      expect(refusal(() => assertMayResetPassword(state(invited(), accepted(), requested('r-1')), 'r-1', hoursLater(3)))).toMatchObject({ reason: 'expired' });
    });
  });
});
