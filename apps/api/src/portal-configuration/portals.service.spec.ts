import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { defaultPortalId, DomainError, organization, organizationStream, portalAccess, portalAccessStream, portalSlugStream, portalStream } from '@app/domain';
import { InMemoryEventStore } from '@app/event-store';
import { CommandExecutor } from '../commands/command-executor';
import { AppConfig, loadConfig } from '../config';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens';
import { PORTAL_SEAT_COMMAND_HANDLERS, PortalSeats, ReleasePortalUserSeat, TakePortalUserSeat } from './portal-seats.commands';
import { CreatePortal, DefineUserType, EnsureDefaultPortal, PORTAL_COMMAND_HANDLERS, SaveInvitationTemplate, UpdatePortal } from './portals.commands';
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

/** The portals' reads and commands on an in-memory store, dispatched on the command bus as in the app. */
async function portalsContext(store: InMemoryEventStore, config: AppConfig): Promise<INestApplicationContext> {
  @Module({
    imports: [CqrsModule],
    providers: [
      { provide: EVENT_STORE, useValue: store },
      { provide: APP_CONFIG, useValue: config },
      CommandExecutor,
      Portals,
      PortalSeats,
      ...PORTAL_COMMAND_HANDLERS,
      ...PORTAL_SEAT_COMMAND_HANDLERS,
    ],
  })
  class PortalsTestModule {}
  return NestFactory.createApplicationContext(PortalsTestModule, { logger: false });
}

describe('Portals service and commands', () => {
  let store: InMemoryEventStore;
  let app: INestApplicationContext;
  let executor: CommandExecutor;
  let portals: Portals;
  let seats: PortalSeats;
  let bus: CommandBus;
  let config: AppConfig;

  async function start(withConfig: AppConfig): Promise<void> {
    await app?.close();
    app = await portalsContext(store, withConfig);
    [executor, portals, seats, bus] = [app.get(CommandExecutor), app.get(Portals), app.get(PortalSeats), app.get(CommandBus)];
  }

  async function createOrganization(organizationId: string, name: string): Promise<void> {
    await executor.execute({ streamName: organizationStream(organizationId), decider: organization, command: { type: 'CreateOrganization', organizationId, name }, context: ctx(organizationId) });
  }

  const ensureDefaultPortal = (organizationId: string, name: string) => bus.execute(new EnsureDefaultPortal(organizationId, ctx(organizationId), name));
  const takeUserSeat = (portalId: string, accessId: string) => bus.execute(new TakePortalUserSeat(ctx('o1'), portalId, accessId));

  beforeEach(async () => {
    store = new InMemoryEventStore();
    config = { ...loadConfig({}), maxPortals: 3, maxUserTypesPerPortal: 2, maxUsersPerPortal: 2 };
    await start(config);
    await createOrganization('o1', 'Acme Staffing');
    await createOrganization('o2', 'Globex');
  });

  afterEach(() => app.close());

  it('ensures the default portal once, however often and concurrently it is asked for', async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureDefaultPortal('o1', 'Acme Staffing')));
    for (const { portal } of results) {
      expect(portal).toEqual({
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
    await ensureDefaultPortal('o1', 'Acme Staffing');
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
    const created = await bus.execute(new CreatePortal(ctx('o1'), { slug: 'acme-clients', name: 'Clients' }));
    expect((await portals.bySlug('acme-clients'))?.id).toBe(created.id);
    expect(await portals.bySlug('no-such-slug')).toBeNull();
    expect(await portals.bySlug('Bad Slug!')).toBeNull();
    await bus.execute(new UpdatePortal(ctx('o1'), created.id, { slug: 'acme-people' }));
    expect(await portals.bySlug('acme-clients')).toBeNull();
    expect((await portals.bySlug('acme-people'))?.organizationId).toBe('o1');
    // Released, but never given to another organization.
    await expect(bus.execute(new CreatePortal(ctx('o2'), { slug: 'acme-clients' }))).rejects.toMatchObject({ code: 'slug-taken' });
    const reused = await bus.execute(new CreatePortal(ctx('o1'), { slug: 'acme-clients' }));
    expect((await portals.bySlug('acme-clients'))?.id).toBe(reused.id);
  });

  it('creates the default portal first for an organization from before portals, and counts it', async () => {
    await bus.execute(new CreatePortal(ctx('o2'), { slug: 'globex-a' }));
    const listed = (await store.readStream(organizationStream('o2'))).events.filter((e) => e.type === 'PortalAdded').map((e) => e.data.portalId);
    expect(listed[0]).toBe(defaultPortalId('o2'));
    await bus.execute(new CreatePortal(ctx('o2'), { slug: 'globex-b' }));
    await expect(bus.execute(new CreatePortal(ctx('o2'), { slug: 'globex-c' }))).rejects.toMatchObject({ code: 'portal-limit-reached' });
    // Nothing of the refused one was kept: its slug is free.
    expect((await store.readStream(portalSlugStream('globex-c'))).events).toHaveLength(0);
  });

  it('releases the slug again when the limit is reached by a concurrent creation', async () => {
    await ensureDefaultPortal('o1', 'Acme Staffing');
    const attempts = await Promise.allSettled(['race-a', 'race-b', 'race-c', 'race-d'].map((slug) => bus.execute(new CreatePortal(ctx('o1'), { slug }))));
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(2);
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    for (const { reason } of refused) expect(reason).toMatchObject({ code: 'portal-limit-reached' });
    const held = await Promise.all(['race-a', 'race-b', 'race-c', 'race-d'].map(async (slug) => (await portals.bySlug(slug)) !== null));
    expect(held.filter(Boolean)).toHaveLength(2);
  });

  it('looks user types up, and renders invitations in the language, its base, or the default language', async () => {
    const created = await bus.execute(new CreatePortal(ctx('o1'), { slug: 'render', defaultLanguage: 'fr' }));
    await bus.execute(new SaveInvitationTemplate(ctx('o1'), created.id, 'fr', 'Invitation {{organizationName}}', 'Bonjour {{contactName}}, {{acceptUrl}}'));
    await bus.execute(new SaveInvitationTemplate(ctx('o1'), created.id, 'pt', 'Convite', 'Olá {{ contactName }}: {{acceptUrl}} ({{username}})'));
    const { portalId, position, ...userType } = await bus.execute(new DefineUserType(ctx('o1'), created.id, { name: 'Viewer', modules: { documents: { view: true } } }));
    expect([portalId, position]).toEqual([created.id, expect.any(Number)]);
    expect(position).toBeGreaterThan(0);
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
    await takeUserSeat(portal.id, 'a1');
    await takeUserSeat(portal.id, 'a1');
    await takeUserSeat(portal.id, 'a2');
    await expect(takeUserSeat(portal.id, 'a3')).rejects.toMatchObject({ kind: 'conflict', code: 'portal-user-limit-reached', details: { limit: 2 } });
    await bus.execute(new ReleasePortalUserSeat(ctx('o1'), portal.id, 'a1'));
    await takeUserSeat(portal.id, 'a3');
  });

  it('frees, once the portal is full, the seats whose invitation never followed; not those invited or in flight', async () => {
    await start({ ...config, seatReservationSeconds: 0 });
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
    await seats.inviteWithSeat(ctx('o1'), portal.id, 'a1', invite('a1'));
    await takeUserSeat(portal.id, 'a2'); // the process stopped here, before inviting
    await seats.inviteWithSeat(ctx('o1'), portal.id, 'a3', invite('a3'));
    const { events } = await store.readStream(`portalSeats-${portal.id}`);
    expect(events.map((e) => [e.type, e.data.accessId, e.metadata.actor.kind])).toEqual([
      ['PortalUserSeatTaken', 'a1', 'staff'],
      ['PortalUserSeatTaken', 'a2', 'staff'],
      ['PortalUserSeatReleased', 'a2', 'system'],
      ['PortalUserSeatTaken', 'a3', 'staff'],
    ]);
    await expect(seats.inviteWithSeat(ctx('o1'), portal.id, 'a4', invite('a4'))).rejects.toMatchObject({ code: 'portal-user-limit-reached' });
  });

  it('keeps a seat taken moments ago, though its invitation has not followed yet', async () => {
    const portal = await portals.resolve('o1');
    await takeUserSeat(portal.id, 'a1');
    await takeUserSeat(portal.id, 'a2');
    await expect(takeUserSeat(portal.id, 'a3')).rejects.toMatchObject({ code: 'portal-user-limit-reached' });
  });
});
