import { defaultPortalId, DomainError, organization, organizationStream, portalAccess, portalAccessStream, portalSlugStream, portalStream } from '@app/domain';
import { InMemoryEventStore } from '@app/event-store';
import { CommandExecutor } from '../commands/command-executor';
import { AppConfig, loadConfig } from '../config';
import { CommandContext } from '../http/request-context';
import { Portals } from './portals.service';

const ctx = (organizationId: string): CommandContext => ({ organizationId, actor: { kind: 'staff', id: 'key-1' }, channel: 'api', correlationId: 'corr-1' });
const vars = {
  contactName: 'Ana Souza',
  portalUrl: 'https://portal.example',
  username: 'ana@acme.example',
  acceptUrl: 'https://portal.example/accept?token=t',
  organizationName: 'Acme',
  expiresAt: '2026-01-08T00:00:00.000Z',
};

describe('Portals service', () => {
  let store: InMemoryEventStore;
  let executor: CommandExecutor;
  let portals: Portals;
  let config: AppConfig;

  async function createOrganization(organizationId: string, name: string): Promise<void> {
    await executor.execute({ streamName: organizationStream(organizationId), decider: organization, command: { type: 'CreateOrganization', organizationId, name }, context: ctx(organizationId) });
  }

  beforeEach(async () => {
    store = new InMemoryEventStore();
    executor = new CommandExecutor(store);
    config = { ...loadConfig({}), maxPortals: 3, maxUserTypesPerPortal: 2, maxUsersPerPortal: 2 };
    portals = new Portals(executor, store, config);
    await createOrganization('o1', 'Acme Staffing');
    await createOrganization('o2', 'Globex');
  });

  it('ensures the default portal once, however often and concurrently it is asked for', async () => {
    const results = await Promise.all([1, 2, 3].map(() => portals.ensureDefaultPortal('o1', 'Acme Staffing', ctx('o1'))));
    for (const { value } of results) {
      expect(value).toEqual({
        id: defaultPortalId('o1'),
        organizationId: 'o1',
        name: 'Acme Staffing',
        slug: 'acme-staffing',
        selfRegistration: false,
        defaultLanguage: 'en',
        isDefault: true,
        templates: {},
        userTypes: [],
      });
    }
    expect((await store.readStream(portalStream(defaultPortalId('o1')))).events.map((e) => e.type)).toEqual(['PortalCreated']);
    expect((await store.readStream(portalSlugStream('acme-staffing'))).events.map((e) => e.type)).toEqual(['PortalSlugReserved']);
    const organizationEvents = (await store.readStream(organizationStream('o1'))).events.map((e) => e.type);
    expect(organizationEvents).toEqual(['OrganizationCreated', 'PortalAdded']);
    await portals.ensureDefaultPortal('o1', 'Acme Staffing', ctx('o1'));
    expect((await store.readStream(organizationStream('o1'))).events).toHaveLength(2);
  });

  it('resolves the default portal lazily for an organization that has none, and refuses other organizations’ portals', async () => {
    const resolved = await portals.resolve('o2');
    expect(resolved).toMatchObject({ id: defaultPortalId('o2'), name: 'Globex', slug: 'globex', isDefault: true });
    expect(await portals.resolve('o2', defaultPortalId('o2'))).toEqual(resolved);
    expect(await portals.resolve('o2', 'default')).toEqual(resolved);
    await expect(portals.resolve('o1', defaultPortalId('o2'))).rejects.toMatchObject({ kind: 'not-found', code: 'portal-not-found' });
    await expect(portals.resolve('o1', '4a1c1f7e-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'portal-not-found' });
    await expect(portals.resolve('nobody')).rejects.toMatchObject({ code: 'portal-not-found' });
  });

  it('finds a portal by slug across organizations, authoritatively, and follows slug changes', async () => {
    const created = await portals.create(ctx('o1'), { slug: 'acme-clients', name: 'Clients' });
    expect((await portals.bySlug('acme-clients'))?.id).toBe(created.value.id);
    expect(await portals.bySlug('no-such-slug')).toBeNull();
    expect(await portals.bySlug('Bad Slug!')).toBeNull();
    await portals.update(ctx('o1'), created.value.id, { slug: 'acme-people' });
    expect(await portals.bySlug('acme-clients')).toBeNull();
    expect((await portals.bySlug('acme-people'))?.organizationId).toBe('o1');
    // Released, but never given to another organization.
    await expect(portals.create(ctx('o2'), { slug: 'acme-clients' })).rejects.toMatchObject({ code: 'slug-taken' });
    const reused = await portals.create(ctx('o1'), { slug: 'acme-clients' });
    expect((await portals.bySlug('acme-clients'))?.id).toBe(reused.value.id);
  });

  it('creates the default portal first for an organization from before portals, and counts it', async () => {
    await portals.create(ctx('o2'), { slug: 'globex-a' });
    const listed = (await store.readStream(organizationStream('o2'))).events.filter((e) => e.type === 'PortalAdded').map((e) => e.data.portalId);
    expect(listed[0]).toBe(defaultPortalId('o2'));
    await portals.create(ctx('o2'), { slug: 'globex-b' });
    await expect(portals.create(ctx('o2'), { slug: 'globex-c' })).rejects.toMatchObject({ code: 'portal-limit-reached' });
    // Nothing of the refused one was kept: its slug is free.
    expect((await store.readStream(portalSlugStream('globex-c'))).events).toHaveLength(0);
  });

  it('releases the slug again when the limit is reached by a concurrent creation', async () => {
    await portals.ensureDefaultPortal('o1', 'Acme Staffing', ctx('o1'));
    const attempts = await Promise.allSettled(['race-a', 'race-b', 'race-c', 'race-d'].map((slug) => portals.create(ctx('o1'), { slug })));
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(2);
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    for (const { reason } of refused) expect(reason).toMatchObject({ code: 'portal-limit-reached' });
    const held = await Promise.all(['race-a', 'race-b', 'race-c', 'race-d'].map(async (slug) => (await portals.bySlug(slug)) !== null));
    expect(held.filter(Boolean)).toHaveLength(2);
  });

  it('looks user types up, and renders invitations in the language, its base, or the default language', async () => {
    const { value: created } = await portals.create(ctx('o1'), { slug: 'render', defaultLanguage: 'fr' });
    await portals.saveTemplate(ctx('o1'), created.id, 'fr', 'Invitation {{organizationName}}', 'Bonjour {{contactName}}, {{acceptUrl}}');
    await portals.saveTemplate(ctx('o1'), created.id, 'pt', 'Convite', 'Olá {{ contactName }}: {{acceptUrl}} ({{username}})');
    const { value: userType, position } = await portals.defineUserType(ctx('o1'), created.id, { name: 'Viewer', modules: { documents: { view: true } } });
    expect(position).toBeGreaterThan(0n);
    const portal = await portals.resolve('o1', created.id);

    expect(portals.userType(portal, userType.id)).toEqual(userType);
    expect(() => portals.userType(portal, 'nope')).toThrow(DomainError);
    expect(() => portals.userType(portal, 'nope')).toThrow(expect.objectContaining({ kind: 'unprocessable', code: 'unknown-user-type' }));

    expect(portals.renderInvitation(portal, 'pt-BR', vars)).toEqual({ subject: 'Convite', text: 'Olá Ana Souza: https://portal.example/accept?token=t (ana@acme.example)' });
    expect(portals.renderInvitation(portal, 'ja', vars)).toEqual({ subject: 'Invitation Acme', text: 'Bonjour Ana Souza, https://portal.example/accept?token=t' });
    const bare = await portals.resolve('o1');
    expect(portals.renderInvitation(bare, 'en', vars)).toBeNull();
    expect(portals.renderInvitation(bare, 'constructor', vars)).toBeNull();

    expect(await portals.preview('o1', created.id, userType.id)).toEqual({
      portalId: created.id,
      userType: { id: userType.id, name: 'Viewer' },
      modules: [
        { module: 'profile', actions: ['view', 'edit'] },
        { module: 'documents', actions: ['view'] },
      ],
    });
  });

  it('holds one seat per portal access, up to the user limit', async () => {
    const portal = await portals.resolve('o1');
    await portals.takeUserSeat(ctx('o1'), portal.id, 'a1');
    await portals.takeUserSeat(ctx('o1'), portal.id, 'a1');
    await portals.takeUserSeat(ctx('o1'), portal.id, 'a2');
    await expect(portals.takeUserSeat(ctx('o1'), portal.id, 'a3')).rejects.toMatchObject({ kind: 'conflict', code: 'portal-user-limit-reached', details: { limit: 2 } });
    await portals.releaseUserSeat(ctx('o1'), portal.id, 'a1');
    await portals.takeUserSeat(ctx('o1'), portal.id, 'a3');
  });

  it('frees, once the portal is full, the seats whose invitation never followed; not those invited or in flight', async () => {
    portals = new Portals(executor, store, { ...config, seatReservationSeconds: 0 });
    const portal = await portals.resolve('o1');
    const invite = (accessId: string) => () =>
      executor.execute({
        streamName: portalAccessStream(accessId),
        decider: portalAccess,
        command: {
          type: 'InviteContact' as const,
          accessId,
          portalId: portal.id,
          contact: { contactId: `c-${accessId}`, clientIds: ['cl-1'], email: `${accessId}@acme.example` },
          invitation: { invitationId: `i-${accessId}`, sentAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
        },
        context: ctx('o1'),
      });
    await portals.inviteWithSeat(ctx('o1'), portal.id, 'a1', invite('a1'));
    await portals.takeUserSeat(ctx('o1'), portal.id, 'a2'); // the process stopped here, before inviting
    await portals.inviteWithSeat(ctx('o1'), portal.id, 'a3', invite('a3'));
    const { events } = await store.readStream(`portalSeats-${portal.id}`);
    expect(events.map((e) => [e.type, e.data.accessId, e.metadata.actor.kind])).toEqual([
      ['PortalUserSeatTaken', 'a1', 'staff'],
      ['PortalUserSeatTaken', 'a2', 'staff'],
      ['PortalUserSeatReleased', 'a2', 'system'],
      ['PortalUserSeatTaken', 'a3', 'staff'],
    ]);
    await expect(portals.inviteWithSeat(ctx('o1'), portal.id, 'a4', invite('a4'))).rejects.toMatchObject({ code: 'portal-user-limit-reached' });
  });

  it('keeps a seat taken moments ago, though its invitation has not followed yet', async () => {
    const portal = await portals.resolve('o1');
    await portals.takeUserSeat(ctx('o1'), portal.id, 'a1');
    await portals.takeUserSeat(ctx('o1'), portal.id, 'a2');
    await expect(portals.takeUserSeat(ctx('o1'), portal.id, 'a3')).rejects.toMatchObject({ code: 'portal-user-limit-reached' });
  });
});
