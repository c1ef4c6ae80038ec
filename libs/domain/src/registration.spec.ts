import { nameBasedUuid } from './ids';
import { fold } from './decider';
import { assertRegistrationPending, assertValidRegistrationRequest, registration, RegistrationEvent, registrationId, registrationStream } from './registration';
import { deciderSpec } from './testing/decider-spec';

const spec = deciderSpec(registration);
const id = 'r-1';
const portalId = 'p-1';
const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-02T00:00:00.000Z';

const request = (overrides: Partial<{ email: string; name: string; companyName: string }> = {}) => ({
  type: 'RequestRegistration' as const,
  registrationId: id,
  portalId,
  email: 'Ana@Acme.Example ',
  name: ' Ana Souza ',
  companyName: 'Acme Logistics',
  requestedAt: t0,
  ...overrides,
});
const requested: RegistrationEvent = {
  type: 'RegistrationRequested',
  data: { registrationId: id, portalId, email: 'ana@acme.example', name: 'Ana Souza', companyName: 'Acme Logistics', requestedAt: t0 },
};
const clientAssigned = (clientId = 'cl-1', created = true): RegistrationEvent => ({ type: 'RegistrationClientAssigned', data: { registrationId: id, clientId, created } });
const contactAssigned = (contactId = 'co-1'): RegistrationEvent => ({ type: 'RegistrationContactAssigned', data: { registrationId: id, contactId } });
const approved: RegistrationEvent = {
  type: 'RegistrationApproved',
  data: { registrationId: id, portalId, clientId: 'cl-1', contactId: 'co-1', userTypeId: null, decidedAt: t1 },
};
const rejected: RegistrationEvent = { type: 'RegistrationRejected', data: { registrationId: id, portalId, reason: null, decidedAt: t1 } };

describe('registration', () => {
  describe('ids', () => {
    it('are derived from portal and normalized email: asking again lands on the same stream', () => {
      expect(registrationId(portalId, ' Ana@ACME.example')).toBe(registrationId(portalId, 'ana@acme.example'));
      expect(registrationId(portalId, 'ana@acme.example')).toBe(nameBasedUuid('registration:p-1:ana@acme.example'));
      expect(registrationId('p-2', 'ana@acme.example')).not.toBe(registrationId(portalId, 'ana@acme.example'));
    });
    it('chain: the request after a decided one has an id of its own, derived from the previous', () => {
      const first = registrationId(portalId, 'ana@acme.example');
      const second = registrationId(portalId, 'ana@acme.example', first);
      expect(second).not.toBe(first);
      expect(registrationId(portalId, 'ANA@acme.example', first)).toBe(second);
      expect(registrationStream(first)).toBe(`registration-${first}`);
    });
  });

  describe('RequestRegistration', () => {
    it('records a pending request with the email normalized and names trimmed', () => spec.given([]).when(request()).then([requested]));
    it('is idempotent while pending: asking again writes nothing', () => spec.given([requested]).when(request()).then([]));
    it('is idempotent while an approval is under way', () => spec.given([requested, clientAssigned()]).when(request()).then([]));
    it('refuses on a decided request (the caller moves on to the next id)', () => {
      spec.given([requested, clientAssigned(), contactAssigned(), approved]).when(request()).thenThrows('registration-decided', { currentStatus: 'Approved' });
      spec.given([requested, rejected]).when(request()).thenThrows('registration-decided', { currentStatus: 'Rejected' });
    });
    it('refuses a bad email, an empty name or company, naming the fields', () => {
      spec.given([]).when(request({ email: 'not-an-email' })).thenThrows('invalid-registration', { errors: [{ field: 'email', message: expect.any(String) }] });
      spec.given([]).when(request({ name: '  ' })).thenThrows('invalid-registration', { errors: [{ field: 'name', message: expect.any(String) }] });
      spec.given([]).when(request({ companyName: '' })).thenThrows('invalid-registration', { errors: [{ field: 'companyName', message: expect.any(String) }] });
      spec.given([]).when(request({ name: 'x'.repeat(201) })).thenThrows('invalid-registration');
    });
  });

  describe('AssignRegistrationClient (first step of an approval)', () => {
    const assign = (clientId = 'cl-1', created = true) => ({ type: 'AssignRegistrationClient' as const, clientId, created });
    it('records the company made for the request', () => spec.given([requested]).when(assign()).then([clientAssigned()]));
    it('records an existing company chosen by staff', () => spec.given([requested]).when(assign('cl-9', false)).then([clientAssigned('cl-9', false)]));
    it('is nothing when the same company is already recorded (retry)', () => spec.given([requested, clientAssigned()]).when(assign()).then([]));
    it('refuses another company once one is recorded', () =>
      spec.given([requested, clientAssigned()]).when(assign('cl-2')).thenThrows('registration-approval-in-progress', { clientId: 'cl-1' }));
    it('refuses an unknown request', () => spec.given([]).when(assign()).thenThrows('registration-not-found'));
    it('refuses a decided request', () => {
      spec.given([requested, clientAssigned(), contactAssigned(), approved]).when(assign()).thenThrows('registration-already-approved');
      spec.given([requested, rejected]).when(assign()).thenThrows('registration-already-rejected');
    });
  });

  describe('AssignRegistrationContact', () => {
    const assign = (contactId = 'co-1') => ({ type: 'AssignRegistrationContact' as const, contactId });
    it('records the contact added for the request', () => spec.given([requested, clientAssigned()]).when(assign()).then([contactAssigned()]));
    it('is nothing when the same contact is already recorded (retry)', () => spec.given([requested, clientAssigned(), contactAssigned()]).when(assign()).then([]));
    it('refuses another contact once one is recorded', () =>
      spec.given([requested, clientAssigned(), contactAssigned()]).when(assign('co-2')).thenThrows('registration-approval-in-progress'));
    it('needs the company first', () => spec.given([requested]).when(assign()).thenThrows('registration-client-missing'));
    it('refuses an unknown or decided request', () => {
      spec.given([]).when(assign()).thenThrows('registration-not-found');
      spec.given([requested, rejected]).when(assign()).thenThrows('registration-already-rejected');
    });
  });

  describe('ApproveRegistration', () => {
    const approve = (userTypeId: string | null = null) => ({ type: 'ApproveRegistration' as const, userTypeId, decidedAt: t1 });
    it('approves a pending request whose company and contact exist', () =>
      spec.given([requested, clientAssigned(), contactAssigned()]).when(approve()).then([approved]));
    it('records the user type the person was invited with', () =>
      spec.given([requested, clientAssigned(), contactAssigned()]).when(approve('ut-1')).then([{ ...approved, data: { ...approved.data, userTypeId: 'ut-1' } } as RegistrationEvent]));
    it('refuses before the company and contact exist', () => {
      spec.given([requested]).when(approve()).thenThrows('registration-approval-incomplete');
      spec.given([requested, clientAssigned()]).when(approve()).thenThrows('registration-approval-incomplete');
    });
    it('refuses approving twice', () =>
      spec.given([requested, clientAssigned(), contactAssigned(), approved]).when(approve()).thenThrows('registration-already-approved', { currentStatus: 'Approved' }));
    it('refuses approving a rejected request', () =>
      spec.given([requested, rejected]).when(approve()).thenThrows('registration-already-rejected', { currentStatus: 'Rejected' }));
    it('refuses an unknown request', () => spec.given([]).when(approve()).thenThrows('registration-not-found'));
  });

  describe('RejectRegistration', () => {
    const reject = (reason?: string | null) => ({ type: 'RejectRegistration' as const, reason, decidedAt: t1 });
    it('rejects a pending request, with an optional reason (trimmed; blank is none)', () => {
      spec.given([requested]).when(reject()).then([rejected]);
      spec.given([requested]).when(reject('  ')).then([rejected]);
      spec.given([requested]).when(reject(' not a client of ours ')).then([{ ...rejected, data: { ...rejected.data, reason: 'not a client of ours' } } as RegistrationEvent]);
    });
    it('rejects a request whose approval was interrupted', () => spec.given([requested, clientAssigned()]).when(reject()).then([rejected]));
    it('refuses a reason over 500 characters', () => spec.given([requested]).when(reject('x'.repeat(501))).thenThrows('invalid-reason'));
    it('refuses rejecting twice, or an approved request', () => {
      spec.given([requested, rejected]).when(reject()).thenThrows('registration-already-rejected');
      spec.given([requested, clientAssigned(), contactAssigned(), approved]).when(reject()).thenThrows('registration-already-approved');
    });
    it('refuses an unknown request', () => spec.given([]).when(reject()).thenThrows('registration-not-found'));
  });

  describe('guards', () => {
    it('assertValidRegistrationRequest: the request as recorded, or every bad field at once', () => {
      expect(assertValidRegistrationRequest(request())).toEqual({ email: 'ana@acme.example', name: 'Ana Souza', companyName: 'Acme Logistics' });
      expect(() => assertValidRegistrationRequest(request({ email: 'nope', name: ' ', companyName: 'x'.repeat(201) }))).toThrow(
        expect.objectContaining({
          code: 'invalid-registration',
          details: { errors: [expect.objectContaining({ field: 'email' }), expect.objectContaining({ field: 'name' }), expect.objectContaining({ field: 'companyName' })] },
        }),
      );
    });
    it('assertRegistrationPending: a request that exists and is not decided yet', () => {
      expect(assertRegistrationPending(fold(registration, [requested, clientAssigned()]))).toBe(id);
      expect(() => assertRegistrationPending(fold(registration, []))).toThrow(expect.objectContaining({ code: 'registration-not-found' }));
      expect(() => assertRegistrationPending(fold(registration, [requested, rejected]))).toThrow(expect.objectContaining({ code: 'registration-already-rejected' }));
    });
  });
});
