import { apiKey, assertApiKeyActive } from './api-key';
import { fold } from './decider';
import { isKnownCountry, isKnownLanguage, isKnownTimeZone } from './locale';
import { organization } from './organization';
import { PortalAccessEvent, portalAccess } from './portal-access';
import { deciderSpec } from './testing/decider-spec';

describe('organization', () => {
  const spec = deciderSpec(organization);
  it('is created with a name and a time zone (UTC by default)', () => {
    spec.given([]).when({ type: 'CreateOrganization', organizationId: 'o1', name: ' Tokyo Staffing ', timeZone: 'Asia/Tokyo' }).then([
      { type: 'OrganizationCreated', data: { organizationId: 'o1', name: 'Tokyo Staffing', timeZone: 'Asia/Tokyo' } },
    ]);
    spec.given([]).when({ type: 'CreateOrganization', organizationId: 'o1', name: 'Acme' }).then([
      { type: 'OrganizationCreated', data: { organizationId: 'o1', name: 'Acme', timeZone: 'UTC' } },
    ]);
  });
  it('refuses an unknown time zone and a second creation', () => {
    spec.given([]).when({ type: 'CreateOrganization', organizationId: 'o1', name: 'Acme', timeZone: 'Mars/Olympus' }).thenThrows('unknown-time-zone');
    spec
      .given([{ type: 'OrganizationCreated', data: { organizationId: 'o1', name: 'Acme', timeZone: 'UTC' } }])
      .when({ type: 'CreateOrganization', organizationId: 'o1', name: 'Acme' })
      .thenThrows('organization-exists');
  });
});

describe('API key', () => {
  const spec = deciderSpec(apiKey);
  const issued = { type: 'ApiKeyIssued' as const, data: { keyId: 'k1', name: 'CI', role: 'agent' as const, prefix: 'cpk_abcd1234' } };
  it('is issued with a role and revoked once', () => {
    spec.given([]).when({ type: 'IssueApiKey', keyId: 'k1', name: ' CI ', role: 'agent', prefix: 'cpk_abcd1234' }).then([issued]);
    spec.given([issued]).when({ type: 'RevokeApiKey' }).then([{ type: 'ApiKeyRevoked', data: { keyId: 'k1', prefix: 'cpk_abcd1234' } }]);
    spec.given([issued, { type: 'ApiKeyRevoked', data: { keyId: 'k1', prefix: 'cpk_abcd1234' } }]).when({ type: 'RevokeApiKey' }).thenThrows('api-key-revoked');
    spec.given([]).when({ type: 'RevokeApiKey' }).thenThrows('api-key-not-found');
  });
  it('refuses an unknown role', () => {
    spec.given([]).when({ type: 'IssueApiKey', keyId: 'k1', name: 'x', role: 'root' as never, prefix: 'p' }).thenThrows('unknown-role');
  });
  it('assertApiKeyActive: an issued key that is not revoked (checked before the key stops working)', () => {
    const revoked = { type: 'ApiKeyRevoked' as const, data: { keyId: 'k1', prefix: 'cpk_abcd1234' } };
    expect(() => assertApiKeyActive(fold(apiKey, [issued]))).not.toThrow();
    expect(() => assertApiKeyActive(fold(apiKey, []))).toThrow(expect.objectContaining({ code: 'api-key-not-found' }));
    expect(() => assertApiKeyActive(fold(apiKey, [issued, revoked]))).toThrow(expect.objectContaining({ code: 'api-key-revoked' }));
  });
});

describe('portal user: revoke, password reset, preferences', () => {
  const spec = deciderSpec(portalAccess);
  const base = { accessId: 'a1', contactId: 'c1' };
  const invited: PortalAccessEvent = {
    type: 'ContactInvited',
    data: { ...base, portalId: 'default', clientId: 'cl1', email: 'a@x.example', invitationId: 'i1', sentAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-08T00:00:00.000Z' },
  };
  const accepted: PortalAccessEvent = { type: 'InvitationAccepted', data: { ...base, invitationId: 'i1' } };
  const resetRequested = (id: string): PortalAccessEvent => ({
    type: 'PortalPasswordResetRequested',
    data: { ...base, requestId: id, expiresAt: '2026-02-01T01:00:00.000Z' },
  });
  const reset = (id: string, now = '2026-02-01T00:30:00.000Z') => ({ type: 'ResetPortalPassword' as const, requestId: id, now });

  it('revokes from any state but Revoked, and a revoked contact can be invited again', () => {
    spec.given([invited, accepted]).when({ type: 'RevokePortalAccess', reason: 'contract ended', notify: true }).then([
      { type: 'PortalAccessRevoked', data: { ...base, reason: 'contract ended', previousStatus: 'Active', notify: true } },
    ]);
    const revoked: PortalAccessEvent = { type: 'PortalAccessRevoked', data: { ...base, reason: null, previousStatus: 'Invited', notify: false } };
    spec.given([invited, revoked]).when({ type: 'RevokePortalAccess' }).thenThrows('already-revoked');
    spec
      .given([invited, revoked])
      .when({ type: 'InviteContact', accessId: 'a1', portalId: 'default', contact: { contactId: 'c1', clientIds: ['cl1'], email: 'a@x.example' }, invitation: { invitationId: 'i2', sentAt: '2026-01-02T00:00:00.000Z', expiresAt: '2026-01-09T00:00:00.000Z' } })
      .then([{ ...invited, data: { ...invited.data, invitationId: 'i2', sentAt: '2026-01-02T00:00:00.000Z', expiresAt: '2026-01-09T00:00:00.000Z', userTypeId: null, language: null, clientIds: ['cl1'] } }]);
  });

  it('resets a password with the latest, unused, unexpired request of an active access', () => {
    spec.given([invited, accepted]).when({ type: 'RequestPasswordReset', requestId: 'r1', expiresAt: '2026-02-01T01:00:00.000Z' }).then([resetRequested('r1')]);
    spec.given([invited]).when({ type: 'RequestPasswordReset', requestId: 'r1', expiresAt: '2026-02-01T01:00:00.000Z' }).thenThrows('access-not-active');
    spec.given([invited, accepted, resetRequested('r1')]).when(reset('r1')).then([{ type: 'PortalPasswordChanged', data: { ...base, requestId: 'r1' } }]);
    const changed: PortalAccessEvent = { type: 'PortalPasswordChanged', data: { ...base, requestId: 'r1' } };
    spec.given([invited, accepted, resetRequested('r1'), changed]).when(reset('r1')).thenThrows('invitation-not-valid', { reason: 'used' });
    spec.given([invited, accepted, resetRequested('r1'), resetRequested('r2')]).when(reset('r1')).thenThrows('invitation-not-valid', { reason: 'superseded' });
    spec.given([invited, accepted, resetRequested('r1')]).when(reset('r1', '2026-02-01T01:00:00.000Z')).thenThrows('invitation-not-valid', { reason: 'expired' });
    spec
      .given([invited, accepted, resetRequested('r1'), { type: 'PortalAccessDisabled', data: { ...base, reason: null, previousStatus: 'Active' } }])
      .when(reset('r1'))
      .thenThrows('invitation-not-valid', { reason: 'access-not-active' });
  });

  it('changes only valid preferences, and only what differs', () => {
    spec.given([invited, accepted]).when({ type: 'ChangePortalPreferences', changes: { language: 'pt-BR', timeZone: 'America/Sao_Paulo', country: 'BR', timeFormat: '24h' } }).then([
      { type: 'PortalPreferencesChanged', data: { ...base, changes: { language: 'pt-BR', timeZone: 'America/Sao_Paulo', country: 'BR', timeFormat: '24h' } } },
    ]);
    const changed: PortalAccessEvent = { type: 'PortalPreferencesChanged', data: { ...base, changes: { language: 'ja', timeZone: 'Asia/Tokyo' } } };
    spec.given([invited, accepted, changed]).when({ type: 'ChangePortalPreferences', changes: { language: 'ja', timeZone: 'UTC' } }).then([
      { type: 'PortalPreferencesChanged', data: { ...base, changes: { timeZone: 'UTC' } } },
    ]);
    spec.given([invited, accepted, changed]).when({ type: 'ChangePortalPreferences', changes: { language: 'ja' } }).then([]);
    for (const [field, value] of [['language', 'xx'], ['language', 'EN_us'], ['timeZone', 'Mars/Olympus'], ['country', 'ZZ'], ['country', 'br'], ['timeFormat', '25h']]) {
      spec.given([invited, accepted]).when({ type: 'ChangePortalPreferences', changes: { [field]: value } }).thenThrows('invalid-preference', { field });
    }
    spec.given([invited]).when({ type: 'ChangePortalPreferences', changes: { language: 'fr' } }).thenThrows('access-not-active');
  });
});

describe('locale rules', () => {
  it('knows languages, countries and time zones', () => {
    expect(['en', 'ja', 'pt-BR', 'fr'].every(isKnownLanguage)).toBe(true);
    expect(['xx', 'english', '', 'pt_BR'].some(isKnownLanguage)).toBe(false);
    expect(['BR', 'JP', 'FR', 'US'].every(isKnownCountry)).toBe(true);
    expect(['ZZ', 'XX', 'QO', 'EU', 'br', 'BRA'].some(isKnownCountry)).toBe(false);
    expect(['UTC', 'Asia/Tokyo', 'America/Sao_Paulo', 'Europe/Paris'].every(isKnownTimeZone)).toBe(true);
    expect(['Mars/Olympus', 'Asia/Tokio', '', '../etc/passwd'].some(isKnownTimeZone)).toBe(false);
  });
});
