import { fold } from './decider';
import { nameBasedUuid } from './ids';
import {
  assertMayAddPortal,
  assertMayUpdatePortal,
  assertValidPortalSettings,
  checkTemplate,
  defaultPortalId,
  normalizeModules,
  organizationPortals,
  OrganizationPortalsEvent,
  portal,
  PortalEvent,
  portalSeats,
  PortalSeatsEvent,
  portalSlug,
  PortalSlugEvent,
  renderTemplate,
  slugCandidates,
  slugify,
  slugProblem,
  UserTypeModules,
  visibleModules,
} from './portal';
import { deciderSpec } from './testing/decider-spec';

const none = { view: false, create: false, edit: false, delete: false, approve: false };
const noModules: UserTypeModules = { shifts: none, timesheets: none, quotes: none, invoices: none, projects: none, documents: none };
const created: PortalEvent = {
  type: 'PortalCreated',
  data: { portalId: 'p1', organizationId: 'o1', isDefault: false, name: 'Acme portal', slug: 'acme', selfRegistration: false, defaultLanguage: 'en' },
};
const create = { type: 'CreatePortal' as const, portalId: 'p1', organizationId: 'o1', isDefault: false, name: ' Acme portal ', slug: 'acme', selfRegistration: false, defaultLanguage: 'en' };
const template = { subject: 'Welcome, {{contactName}}', body: 'Hello {{ contactName }},\nopen {{acceptUrl}} (user {{username}}) at {{portalUrl}}.' };
const userTypeDefined = (id: string, name: string, modules: UserTypeModules = noModules): PortalEvent => ({
  type: 'UserTypeDefined',
  data: { portalId: 'p1', userTypeId: id, name, modules },
});

describe('default portal id', () => {
  it('is a name-based UUID of the organization, the same every time', () => {
    expect(defaultPortalId('o1')).toBe(nameBasedUuid('default-portal:o1'));
    expect(defaultPortalId('o1')).toBe(defaultPortalId('o1'));
    expect(defaultPortalId('o1')).not.toBe(defaultPortalId('o2'));
    expect(defaultPortalId('o1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('slugs', () => {
  it('are lower-case a-z, 0-9 and single hyphens, 3 to 63 characters, not reserved', () => {
    for (const good of ['acme', 'acme-logistics', 'a1b', 'x'.repeat(63), '123']) expect({ good, problem: slugProblem(good) }).toEqual({ good, problem: null });
    for (const bad of ['ab', 'x'.repeat(64), 'Acme', 'acme_co', '-acme', 'acme-', 'ac--me', 'acmé', 'ac me', '', 'api', 'admin', 'docs', 'www', 'portal']) {
      expect({ bad, problem: slugProblem(bad) }).toEqual({ bad, problem: expect.any(String) });
    }
  });

  it('are made from names, with a stable short suffix as the second choice', () => {
    expect(slugify('São Paulo Staffing, Ltda.')).toBe('sao-paulo-staffing-ltda');
    expect(slugify('東京スタッフ')).toBe('');
    expect(slugify('x'.repeat(70))).toHaveLength(63);
    const [first, second] = slugCandidates('Tokyo Staffing KK', 'o1');
    expect(first).toBe('tokyo-staffing-kk');
    expect(second).toMatch(/^tokyo-staffing-kk-[0-9a-f]{6}$/);
    expect(slugCandidates('Tokyo Staffing KK', 'o1')).toEqual([first, second]);
    // No usable slug from the name: reserved, too short, or no Latin letters.
    for (const name of ['Portal', 'AB', '東京スタッフ']) {
      for (const candidate of slugCandidates(name, 'o1')) expect({ name, candidate, problem: slugProblem(candidate) }).toEqual({ name, candidate, problem: null });
    }
    expect(slugCandidates('東京スタッフ', 'o1')).toEqual([expect.stringMatching(/^portal-[0-9a-f]{6}$/)]);
    for (const candidate of slugCandidates('y'.repeat(70), 'o1')) expect(candidate.length).toBeLessThanOrEqual(63);
  });
});

describe('invitation templates', () => {
  const throws = (subject: string, body: string) => {
    try {
      checkTemplate(subject, body);
    } catch (error) {
      return error as { code: string; details: Record<string, unknown> };
    }
    return null;
  };

  it('accept the known placeholders, with or without spaces inside the braces', () => {
    expect(throws(template.subject, template.body)).toBeNull();
    expect(throws('{{organizationName}}', '{{acceptUrl}} until {{ expiresAt }}')).toBeNull();
  });

  it('refuse unknown placeholders, naming each', () => {
    const error = throws('Hi {{firstName}}', 'Go to {{acceptUrl}} {{password}}');
    expect(error).toMatchObject({
      code: 'unknown-placeholder',
      details: {
        placeholders: ['firstName', 'password'],
        errors: [
          { field: 'subject', message: 'unknown placeholder {{firstName}}' },
          { field: 'body', message: 'unknown placeholder {{password}}' },
        ],
      },
    });
  });

  it('refuse unbalanced braces, a multi-line or empty subject, an empty body, and a body without the accept link', () => {
    expect(throws('Hi {{contactName', '{{acceptUrl}}')?.code).toBe('malformed-placeholder');
    expect(throws('Hi', '{{acceptUrl}} }}')?.code).toBe('malformed-placeholder');
    expect(throws('Hi\r\nBcc: x@example.com', '{{acceptUrl}}')?.code).toBe('invalid-template');
    expect(throws(' ', '{{acceptUrl}}')?.code).toBe('invalid-template');
    expect(throws('Hi', '  ')?.code).toBe('invalid-template');
    expect(throws('Hi', 'x'.repeat(20_001))?.code).toBe('invalid-template');
    expect(throws('Hi', 'Welcome to {{portalUrl}}')?.code).toBe('accept-url-required');
  });

  it('render with the values, and keep the subject on one line', () => {
    const vars = {
      contactName: 'Ana\nBcc: evil@example.com',
      portalUrl: 'https://p.example',
      username: 'ana@acme.example',
      acceptUrl: 'https://p.example/accept?token=t',
      organizationName: 'Acme',
      expiresAt: '2026-01-08T00:00:00.000Z',
    };
    expect(renderTemplate(template, vars)).toEqual({
      subject: 'Welcome, Ana Bcc: evil@example.com',
      text: 'Hello Ana\nBcc: evil@example.com,\nopen https://p.example/accept?token=t (user ana@acme.example) at https://p.example.',
    });
  });
});

describe('user type modules', () => {
  it('are every module with every action, false unless given', () => {
    expect(normalizeModules({ timesheets: { view: true, create: true } })).toEqual({ ...noModules, timesheets: { view: true, create: true, edit: false, delete: false, approve: false } });
  });
  it('refuse unknown modules and actions, and acting without viewing', () => {
    expect(() => normalizeModules({ payroll: { view: true } })).toThrow(expect.objectContaining({ code: 'unknown-module' }));
    expect(() => normalizeModules({ shifts: { publish: true } })).toThrow(expect.objectContaining({ code: 'unknown-action' }));
    expect(() => normalizeModules({ quotes: { view: false, create: true } })).toThrow(expect.objectContaining({ code: 'permission-needs-view' }));
  });
  it('show the modules with an allowed action, and always the profile', () => {
    const modules = normalizeModules({ timesheets: { view: true, create: true }, documents: { view: true } });
    expect(visibleModules(modules)).toEqual([
      { module: 'profile', actions: ['view', 'edit'] },
      { module: 'timesheets', actions: ['view', 'create'] },
      { module: 'documents', actions: ['view'] },
    ]);
    expect(visibleModules(noModules)).toEqual([{ module: 'profile', actions: ['view', 'edit'] }]);
  });
});

describe('portal', () => {
  const spec = deciderSpec(portal);

  describe('creation', () => {
    it('records the name (trimmed), slug, self-registration and default language', () => {
      spec.given([]).when(create).then([created]);
    });
    it('refuses an empty name, a bad slug, an unknown language, and a second creation', () => {
      spec.given([]).when({ ...create, name: '  ' }).thenThrows('name-required', { field: 'name' });
      spec.given([]).when({ ...create, name: 'x'.repeat(201) }).thenThrows('name-too-long');
      spec.given([]).when({ ...create, slug: 'Bad Slug' }).thenThrows('invalid-slug', { field: 'slug' });
      spec.given([]).when({ ...create, slug: 'api' }).thenThrows('invalid-slug');
      spec.given([]).when({ ...create, defaultLanguage: 'xx-YY-zz' }).thenThrows('unknown-language', { field: 'defaultLanguage' });
      spec.given([]).when({ ...create, defaultLanguage: 'pt-br' }).thenThrows('unknown-language');
      spec.given([created]).when(create).thenThrows('portal-exists');
    });
  });

  describe('update', () => {
    it('records only what changed, with the slug it had before', () => {
      spec.given([created]).when({ type: 'UpdatePortal', changes: { name: 'Acme portal', slug: 'acme-clients', selfRegistration: true, defaultLanguage: 'pt-BR' } }).then([
        { type: 'PortalUpdated', data: { portalId: 'p1', changes: { slug: 'acme-clients', selfRegistration: true, defaultLanguage: 'pt-BR' }, previousSlug: 'acme' } },
      ]);
      spec.given([created]).when({ type: 'UpdatePortal', changes: { name: 'Renamed' } }).then([
        { type: 'PortalUpdated', data: { portalId: 'p1', changes: { name: 'Renamed' }, previousSlug: null } },
      ]);
    });
    it('is nothing when nothing changes', () => {
      spec.given([created]).when({ type: 'UpdatePortal', changes: { name: 'Acme portal', slug: 'acme', selfRegistration: false } }).then([]);
      spec.given([created]).when({ type: 'UpdatePortal', changes: {} }).then([]);
    });
    it('refuses bad values and an unknown portal', () => {
      spec.given([created]).when({ type: 'UpdatePortal', changes: { slug: 'ab' } }).thenThrows('invalid-slug');
      spec.given([created]).when({ type: 'UpdatePortal', changes: { name: '' } }).thenThrows('name-required');
      spec.given([created]).when({ type: 'UpdatePortal', changes: { defaultLanguage: 'klingon' } }).thenThrows('unknown-language');
      spec.given([]).when({ type: 'UpdatePortal', changes: { name: 'x' } }).thenThrows('portal-not-found');
    });
    it('folds into the state', () => {
      const state = fold(portal, [created, { type: 'PortalUpdated', data: { portalId: 'p1', changes: { slug: 'acme-2', selfRegistration: true }, previousSlug: 'acme' } }]);
      expect(state).toMatchObject({ name: 'Acme portal', slug: 'acme-2', selfRegistration: true, defaultLanguage: 'en' });
    });
  });

  describe('invitation templates', () => {
    it('are saved per language, replaced, and saving the same one again is nothing', () => {
      const saved: PortalEvent = { type: 'InvitationTemplateSaved', data: { portalId: 'p1', language: 'ja', ...template } };
      spec.given([created]).when({ type: 'SaveInvitationTemplate', language: 'ja', ...template }).then([saved]);
      spec.given([created, saved]).when({ type: 'SaveInvitationTemplate', language: 'ja', ...template }).then([]);
      spec.given([created, saved]).when({ type: 'SaveInvitationTemplate', language: 'ja', subject: 'New', body: '{{acceptUrl}}' }).then([
        { type: 'InvitationTemplateSaved', data: { portalId: 'p1', language: 'ja', subject: 'New', body: '{{acceptUrl}}' } },
      ]);
      expect(fold(portal, [created, saved]).templates).toEqual({ ja: template });
    });
    it('refuse unknown placeholders, unknown languages and unknown portals', () => {
      spec.given([created]).when({ type: 'SaveInvitationTemplate', language: 'en', subject: '{{nope}}', body: '{{acceptUrl}}' }).thenThrows('unknown-placeholder');
      spec.given([created]).when({ type: 'SaveInvitationTemplate', language: 'en-us', ...template }).thenThrows('unknown-language');
      spec.given([]).when({ type: 'SaveInvitationTemplate', language: 'en', ...template }).thenThrows('portal-not-found');
    });
    it('are removed when they exist', () => {
      const saved: PortalEvent = { type: 'InvitationTemplateSaved', data: { portalId: 'p1', language: 'fr', ...template } };
      spec.given([created, saved]).when({ type: 'RemoveInvitationTemplate', language: 'fr' }).then([
        { type: 'InvitationTemplateRemoved', data: { portalId: 'p1', language: 'fr' } },
      ]);
      spec.given([created]).when({ type: 'RemoveInvitationTemplate', language: 'fr' }).thenThrows('template-not-found');
      expect(fold(portal, [created, saved, { type: 'InvitationTemplateRemoved', data: { portalId: 'p1', language: 'fr' } }]).templates).toEqual({});
    });
  });

  describe('user types', () => {
    const define = { type: 'DefineUserType' as const, userTypeId: 't1', name: ' Approver ', modules: { timesheets: { view: true, edit: true } }, maxUserTypes: 2 };
    it('are defined with a permission for every module and action', () => {
      spec.given([created]).when(define).then([
        userTypeDefined('t1', 'Approver', { ...noModules, timesheets: { view: true, create: false, edit: true, delete: false, approve: false } }),
      ]);
    });
    it('are limited per portal', () => {
      spec.given([created, userTypeDefined('t1', 'A'), userTypeDefined('t2', 'B')]).when({ ...define, userTypeId: 't3', name: 'C' }).thenThrows('user-type-limit-reached', { limit: 2 });
      spec.given([created, userTypeDefined('t1', 'A')]).when({ ...define, userTypeId: 't2', name: 'B' }).then([userTypeDefined('t2', 'B', normalizeModules(define.modules))]);
    });
    it('have unique names in a portal, and refuse bad modules', () => {
      spec.given([created, userTypeDefined('t1', 'approver')]).when({ ...define, userTypeId: 't2' }).thenThrows('user-type-name-taken');
      spec.given([created]).when({ ...define, name: '' }).thenThrows('name-required');
      spec.given([created]).when({ ...define, modules: { payroll: { view: true } } }).thenThrows('unknown-module');
      spec.given([created]).when({ ...define, modules: { quotes: { delete: true, approve: false } } }).thenThrows('permission-needs-view');
      spec.given([created, userTypeDefined('t1', 'A')]).when({ ...define, userTypeId: 't1', name: 'Z' }).thenThrows('user-type-exists');
      spec.given([]).when(define).thenThrows('portal-not-found');
    });
    it('change their name and permissions; nothing when nothing changes', () => {
      const given = [created, userTypeDefined('t1', 'A'), userTypeDefined('t2', 'B')];
      spec.given(given).when({ type: 'ChangeUserType', userTypeId: 't1', name: 'Viewer', modules: { shifts: { view: true } } }).then([
        { type: 'UserTypeChanged', data: { portalId: 'p1', userTypeId: 't1', changes: { name: 'Viewer', modules: { ...noModules, shifts: { ...none, view: true } } } } },
      ]);
      spec.given(given).when({ type: 'ChangeUserType', userTypeId: 't1', name: 'A', modules: {} }).then([]);
      spec.given(given).when({ type: 'ChangeUserType', userTypeId: 't1', name: 'b' }).thenThrows('user-type-name-taken');
      spec.given(given).when({ type: 'ChangeUserType', userTypeId: 't9', name: 'X' }).thenThrows('user-type-not-found');
      const state = fold(portal, [...given, { type: 'UserTypeChanged', data: { portalId: 'p1', userTypeId: 't2', changes: { name: 'Beta' } } }]);
      expect(state.userTypes.map((t) => t.name)).toEqual(['A', 'Beta']);
    });
  });
});

describe('portal guards (checked before a slug is reserved or a portal added)', () => {
  it('assertValidPortalSettings: a name, a usable slug, a known language', () => {
    expect(assertValidPortalSettings(create)).toEqual({ name: 'Acme portal' });
    expect(() => assertValidPortalSettings({ ...create, name: ' ' })).toThrow(expect.objectContaining({ code: 'name-required' }));
    expect(() => assertValidPortalSettings({ ...create, slug: 'admin' })).toThrow(expect.objectContaining({ code: 'invalid-slug' }));
    expect(() => assertValidPortalSettings({ ...create, defaultLanguage: 'xx-Klingon' })).toThrow(expect.objectContaining({ code: 'unknown-language' }));
  });
  it('assertMayUpdatePortal: only what differs, on a portal that exists', () => {
    const state = fold(portal, [created]);
    expect(assertMayUpdatePortal(state, { name: 'Acme portal', slug: 'acme-2', selfRegistration: false })).toEqual({ slug: 'acme-2' });
    expect(assertMayUpdatePortal(state, { name: ' Acme portal ' })).toEqual({});
    expect(() => assertMayUpdatePortal(portal.initialState(), { name: 'x' })).toThrow(expect.objectContaining({ code: 'portal-not-found' }));
    expect(() => assertMayUpdatePortal(state, { slug: 'No Slug' })).toThrow(expect.objectContaining({ code: 'invalid-slug' }));
  });
  it('assertMayAddPortal: the organization exists and is under its limit (a portal it has is fine)', () => {
    const orgCreated = { type: 'OrganizationCreated', data: { organizationId: 'o1', name: 'Acme' } } as OrganizationPortalsEvent;
    const added: OrganizationPortalsEvent = { type: 'PortalAdded', data: { organizationId: 'o1', portalId: 'p1' } };
    const state = fold(organizationPortals, [orgCreated, added]);
    expect(() => assertMayAddPortal(state, 'p2', 2)).not.toThrow();
    expect(() => assertMayAddPortal(state, 'p1', 1)).not.toThrow();
    expect(() => assertMayAddPortal(state, 'p2', 1)).toThrow(expect.objectContaining({ code: 'portal-limit-reached', details: { limit: 1 } }));
    expect(() => assertMayAddPortal(organizationPortals.initialState(), 'p1', 5)).toThrow(expect.objectContaining({ code: 'organization-not-found' }));
  });
});

describe('portal slug reservation', () => {
  const spec = deciderSpec(portalSlug);
  const reserved: PortalSlugEvent = { type: 'PortalSlugReserved', data: { slug: 'acme', portalId: 'p1', organizationId: 'o1' } };
  const released: PortalSlugEvent = { type: 'PortalSlugReleased', data: { slug: 'acme', portalId: 'p1', organizationId: 'o1' } };

  it('gives a free slug to one portal; the same portal again is nothing', () => {
    spec.given([]).when({ type: 'ReservePortalSlug', slug: 'acme', portalId: 'p1', organizationId: 'o1' }).then([reserved]);
    spec.given([reserved]).when({ type: 'ReservePortalSlug', slug: 'acme', portalId: 'p1', organizationId: 'o1' }).then([]);
  });
  it('refuses a slug another portal holds, and an invalid slug', () => {
    spec.given([reserved]).when({ type: 'ReservePortalSlug', slug: 'acme', portalId: 'p2', organizationId: 'o1' }).thenThrows('slug-taken', { field: 'slug' });
    spec.given([reserved]).when({ type: 'ReservePortalSlug', slug: 'acme', portalId: 'p3', organizationId: 'o2' }).thenThrows('slug-taken');
    spec.given([]).when({ type: 'ReservePortalSlug', slug: 'www', portalId: 'p1', organizationId: 'o1' }).thenThrows('invalid-slug');
  });
  it('is released by its portal only, and then taken again only within the organization', () => {
    spec.given([reserved]).when({ type: 'ReleasePortalSlug', portalId: 'p1' }).then([released]);
    spec.given([reserved]).when({ type: 'ReleasePortalSlug', portalId: 'p2' }).then([]);
    spec.given([reserved, released]).when({ type: 'ReservePortalSlug', slug: 'acme', portalId: 'p2', organizationId: 'o1' }).then([
      { type: 'PortalSlugReserved', data: { slug: 'acme', portalId: 'p2', organizationId: 'o1' } },
    ]);
    spec.given([reserved, released]).when({ type: 'ReservePortalSlug', slug: 'acme', portalId: 'p3', organizationId: 'o2' }).thenThrows('slug-taken');
  });
});

describe('portals of an organization', () => {
  const spec = deciderSpec(organizationPortals);
  const orgCreated = { type: 'OrganizationCreated', data: { organizationId: 'o1', name: 'Acme', timeZone: 'UTC' } } as OrganizationPortalsEvent;
  const added = (portalId: string): OrganizationPortalsEvent => ({ type: 'PortalAdded', data: { organizationId: 'o1', portalId } });

  it('are added up to the limit; adding the same one again is nothing', () => {
    spec.given([orgCreated]).when({ type: 'AddPortal', portalId: 'p1', maxPortals: 2 }).then([added('p1')]);
    spec.given([orgCreated, added('p1')]).when({ type: 'AddPortal', portalId: 'p1', maxPortals: 2 }).then([]);
    spec.given([orgCreated, added('p1'), added('p2')]).when({ type: 'AddPortal', portalId: 'p2', maxPortals: 2 }).then([]);
    spec.given([orgCreated, added('p1'), added('p2')]).when({ type: 'AddPortal', portalId: 'p3', maxPortals: 2 }).thenThrows('portal-limit-reached', { limit: 2 });
  });
  it('need the organization, and ignore its other events', () => {
    spec.given([]).when({ type: 'AddPortal', portalId: 'p1', maxPortals: 5 }).thenThrows('organization-not-found');
    const other = { type: 'OrganizationSettingsChanged', data: {} } as unknown as OrganizationPortalsEvent;
    expect(fold(organizationPortals, [orgCreated, other, added('p1')])).toEqual({ exists: true, organizationId: 'o1', name: 'Acme', portalIds: ['p1'] });
  });
});

describe('users of a portal', () => {
  const spec = deciderSpec(portalSeats);
  const taken = (accessId: string): PortalSeatsEvent => ({ type: 'PortalUserSeatTaken', data: { portalId: 'p1', accessId } });
  const released = (accessId: string): PortalSeatsEvent => ({ type: 'PortalUserSeatReleased', data: { portalId: 'p1', accessId } });

  it('take one seat per access, up to the limit, with a clear error beyond it', () => {
    spec.given([]).when({ type: 'TakePortalUserSeat', portalId: 'p1', accessId: 'a1', maxUsers: 2 }).then([taken('a1')]);
    spec.given([taken('a1')]).when({ type: 'TakePortalUserSeat', portalId: 'p1', accessId: 'a1', maxUsers: 1 }).then([]);
    spec.given([taken('a1'), taken('a2')]).when({ type: 'TakePortalUserSeat', portalId: 'p1', accessId: 'a3', maxUsers: 2 }).thenThrows('portal-user-limit-reached', { limit: 2 });
  });
  it('free a seat when released', () => {
    spec.given([taken('a1'), taken('a2')]).when({ type: 'ReleasePortalUserSeat', portalId: 'p1', accessId: 'a2' }).then([released('a2')]);
    spec.given([taken('a1')]).when({ type: 'ReleasePortalUserSeat', portalId: 'p1', accessId: 'a2' }).then([]);
    spec.given([taken('a1'), taken('a2'), released('a2')]).when({ type: 'TakePortalUserSeat', portalId: 'p1', accessId: 'a3', maxUsers: 2 }).then([taken('a3')]);
  });
  it('fold thousands of seats quickly', () => {
    const history = Array.from({ length: 5000 }, (_, i) => taken(`a${i}`));
    const started = Date.now();
    expect(fold(portalSeats, history).accessIds.size).toBe(5000);
    expect(Date.now() - started).toBeLessThan(200);
  });
});
