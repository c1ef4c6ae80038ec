import { HtmlPages } from '../http/html-pages';
import { Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DOCUMENT_MODULE, DocumentKind, portalAccess, portalAccessStream } from '@app/domain';
import type { CommentView, DocumentView } from '../collaboration/collaboration.dto';
import type { InvoiceSummaryView, QuoteSummaryView } from '../quotes-invoices/quotes-invoices.dto';
import type { ShiftView, TimesheetView } from '../shifts-timesheets/shifts-timesheets.dto';
import type { MeResponse } from '../portal-self-service/portal.dto';
import { Public } from '../auth/access';
import { PortalSessions } from '../auth/portal-sessions';
import { PortalPrincipal } from '../auth/principal';
import { CommandExecutor } from '../commands/command-executor';
import { Organizations } from '../organizations/organizations';
import { Portals } from '../portal-configuration/portals.service';
import { PortalPermissions } from '../auth/portal-permissions';
import { Html } from './html';
import { acceptedLanguages, Messages, pageLanguageOf, PageLanguage, pickLanguage } from './i18n';
import { ApiAnswer, PortalApi } from './portal-api';
import {
  clearCookie,
  COOKIES,
  cookiesOf,
  csrfTokenFor,
  formOf,
  isSameOriginPost,
  LANGUAGE_COOKIE_MAX_AGE,
  LINK_COOKIE_SECONDS,
  pageHeaders,
  portalPath,
  setCookie,
} from './page-security';
import { PageErrorFilter } from './page-error.filter';
import { acceptInvitationPage, forgotPasswordPage, resetPasswordPage, signInPage } from './views/account-pages';
import { DocumentPageData, documentPage, OpenedDocument } from './views/document';
import { awaitingItem, invoiceItem, LandingData, landingPage, ListedModule, quoteItem, shiftItem, timesheetItem } from './views/landing';
import { messagePage, PageContext, pageContext } from './views/layout';

const LINK_TOKEN = /^[A-Za-z0-9_-]{1,200}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIST_LIMIT = 50;
const DETAIL_PATH: Record<DocumentKind, string> = { shift: 'shifts', timesheet: 'timesheets', quote: 'quotes', invoice: 'invoices' };

/** What each document action posts to, with the notice shown once it is done. */
const ACTIONS = {
  approve: { kind: 'timesheet', path: (id: string) => `/v1/portal/timesheets/${id}/approve`, notice: 'approved', body: () => undefined },
  reject: { kind: 'timesheet', path: (id: string) => `/v1/portal/timesheets/${id}/reject`, notice: 'rejected', body: (f: Form) => ({ reason: f.reason ?? '' }) },
  accept: { kind: 'quote', path: (id: string) => `/v1/portal/quotes/${id}/accept`, notice: 'accepted', body: () => undefined },
  decline: { kind: 'quote', path: (id: string) => `/v1/portal/quotes/${id}/decline`, notice: 'declined', body: (f: Form) => ({ reason: f.reason ?? '' }) },
  payments: {
    kind: 'invoice',
    path: (id: string) => `/v1/portal/invoices/${id}/payments`,
    notice: 'paid',
    body: (f: Form) => ({ amount: f.amount ?? '', method: f.method ?? '', reference: f.reference ?? '', ...(f.paidAt ? { paidAt: f.paidAt } : {}) }),
  },
  comments: { kind: null, path: (id: string) => `/v1/portal/documents/${id}/comments`, notice: 'commented', body: (f: Form) => ({ text: f.text ?? '' }) },
} as const;
type Form = Record<string, string>;

interface Session {
  token: string;
  principal: PortalPrincipal;
}

/**
 * The portal's pages: accept an invitation, reset a forgotten password, sign in, see what is
 * shared with one's company and act on it. Server-rendered HTML; every read and every action
 * goes through the portal API (PortalApi), so the pages decide nothing the API does not.
 */
@HtmlPages()
@Public() // the pages authenticate through their own session cookie; the API calls they make go through the guard
@UseFilters(PageErrorFilter)
@Controller('portal')
export class PortalPagesController {
  constructor(
    private readonly api: PortalApi,
    private readonly sessions: PortalSessions,
    private readonly executor: CommandExecutor,
    private readonly organizations: Organizations,
    private readonly portals: Portals,
    private readonly permissions: PortalPermissions,
  ) {}

  // ---------------------------------------------------------------------------------------
  // Accepting an invitation
  // ---------------------------------------------------------------------------------------

  @Get('accept-invitation')
  async acceptInvitationForm(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('token') queryToken?: unknown): Promise<void> {
    const token = this.followLink(request, reply, COOKIES.invitation, queryToken);
    if (!token) return this.linkMissing(request, reply);
    const described = await this.api.call<InvitationDescription>(request, 'POST', '/v1/portal/invitations/describe', { body: { token } });
    if (!described.ok) return this.invitationRefused(request, reply, described);
    const invitation = described.body;
    const ctx = this.anonymousContext(request, reply, { language: invitation.language, organizationName: invitation.organizationName, switcher: false });
    if (invitation.status !== 'valid') return this.invitationClosed(reply, ctx, invitation);
    send(reply, 200, acceptInvitationPage(ctx, invitation));
  }

  @Post('accept-invitation')
  async acceptInvitation(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const token = cookiesOf(request)[COOKIES.invitation];
    if (!isSameOriginPost(request)) return this.formExpired(request, reply);
    if (!token || !LINK_TOKEN.test(token)) return this.linkMissing(request, reply);
    const described = await this.api.call<InvitationDescription>(request, 'POST', '/v1/portal/invitations/describe', { body: { token } });
    if (!described.ok) return this.invitationRefused(request, reply, described);
    const invitation = described.body;
    const ctx = this.anonymousContext(request, reply, { language: invitation.language, organizationName: invitation.organizationName, switcher: false });
    if (invitation.status !== 'valid') return this.invitationClosed(reply, ctx, invitation);

    const form = formOf(request);
    const password = form.password ?? '';
    const mismatch = password !== (form.passwordRepeat ?? '');
    if (mismatch) return send(reply, 422, acceptInvitationPage(ctx, invitation, { text: ctx.m.passwordsDiffer, field: 'password' }));
    const accepted = await this.api.call(request, 'POST', '/v1/portal/invitations/accept', { body: { token, password } });
    if (!accepted.ok) {
      if (accepted.status === 422) return send(reply, 422, acceptInvitationPage(ctx, invitation, { text: passwordProblem(ctx.m, accepted), field: 'password' }));
      if (accepted.status === 410) return this.invitationClosed(reply, ctx, { ...invitation, status: closedReason(accepted.problem?.reason) });
      return this.invitationRefused(request, reply, accepted);
    }
    clearCookie(reply, COOKIES.invitation);
    await this.signInAfterPassword(request, reply, ctx, { email: invitation.email, password, portalId: invitation.portalId, language: invitation.language, notice: 'welcome' });
  }

  // ---------------------------------------------------------------------------------------
  // A forgotten password
  // ---------------------------------------------------------------------------------------

  @Get('forgot-password')
  forgotPasswordForm(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    send(reply, 200, forgotPasswordPage(this.anonymousContext(request, reply, { returnPath: '/portal/forgot-password' })));
  }

  @Post('forgot-password')
  async forgotPassword(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!isSameOriginPost(request)) return this.formExpired(request, reply);
    const ctx = this.anonymousContext(request, reply, { returnPath: '/portal/forgot-password' });
    const email = (formOf(request).email ?? '').trim();
    const requested = await this.api.call(request, 'POST', '/v1/portal/password-reset', { body: { email } });
    if (requested.status === 429) return send(reply, 429, forgotPasswordPage(ctx, { email, problem: tooMany(ctx.m, requested) }));
    if (!requested.ok) return send(reply, 422, forgotPasswordPage(ctx, { email, problem: ctx.m.problems['validation-failed'] }));
    send(reply, 200, messagePage(ctx, { title: ctx.m.forgotSentTitle, text: ctx.m.forgotSentText(email), links: [{ href: '/portal/sign-in', label: ctx.m.backToSignIn }] }));
  }

  @Get('reset-password')
  async resetPasswordForm(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('token') queryToken?: unknown): Promise<void> {
    const token = this.followLink(request, reply, COOKIES.reset, queryToken);
    if (!token) return this.linkMissing(request, reply);
    const described = await this.api.call<ResetDescription>(request, 'POST', '/v1/portal/password-reset/describe', { body: { token } });
    if (!described.ok) return this.resetRefused(request, reply, described);
    const reset = described.body;
    const ctx = this.anonymousContext(request, reply, { language: reset.language, organizationName: reset.organizationName, switcher: false });
    if (reset.status !== 'valid') return this.resetClosed(reply, ctx, reset.status);
    send(reply, 200, resetPasswordPage(ctx, reset));
  }

  @Post('reset-password')
  async resetPassword(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const token = cookiesOf(request)[COOKIES.reset];
    if (!isSameOriginPost(request)) return this.formExpired(request, reply);
    if (!token || !LINK_TOKEN.test(token)) return this.linkMissing(request, reply);
    const described = await this.api.call<ResetDescription>(request, 'POST', '/v1/portal/password-reset/describe', { body: { token } });
    if (!described.ok) return this.resetRefused(request, reply, described);
    const reset = described.body;
    const ctx = this.anonymousContext(request, reply, { language: reset.language, organizationName: reset.organizationName, switcher: false });
    if (reset.status !== 'valid') return this.resetClosed(reply, ctx, reset.status);

    const form = formOf(request);
    const password = form.password ?? '';
    if (password !== (form.passwordRepeat ?? '')) return send(reply, 422, resetPasswordPage(ctx, reset, { text: ctx.m.passwordsDiffer, field: 'password' }));
    const confirmed = await this.api.call(request, 'POST', '/v1/portal/password-reset/confirm', { body: { token, password } });
    if (!confirmed.ok) {
      if (confirmed.status === 422) return send(reply, 422, resetPasswordPage(ctx, reset, { text: passwordProblem(ctx.m, confirmed), field: 'password' }));
      if (confirmed.status === 410) return this.resetClosed(reply, ctx, closedReason(confirmed.problem?.reason));
      return this.resetRefused(request, reply, confirmed);
    }
    clearCookie(reply, COOKIES.reset);
    await this.signInAfterPassword(request, reply, ctx, { email: reset.email, password, portalId: reset.portalId, language: reset.language, notice: 'password-changed' });
  }

  // ---------------------------------------------------------------------------------------
  // Signing in and out, the language
  // ---------------------------------------------------------------------------------------

  @Get('sign-in')
  async signInForm(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('notice') notice?: unknown): Promise<void> {
    if (await this.session(request)) return redirect(reply, '/portal');
    const ctx = this.anonymousContext(request, reply, { returnPath: '/portal/sign-in' });
    const text = notice === 'signed-out' ? ctx.m.signedOut : notice === 'session-ended' ? ctx.m.sessionEnded : undefined;
    send(reply, 200, signInPage(ctx, { notice: text }));
  }

  @Post('sign-in')
  signIn(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.signInWithForm(request, reply, undefined);
  }

  @Post('sign-out')
  signOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    if (!isSameOriginPost(request)) return this.formExpired(request, reply);
    clearCookie(reply, COOKIES.session);
    redirect(reply, '/portal/sign-in?notice=signed-out');
  }

  /** The language switcher: remembered in a cookie, and as the person's preference once signed in. */
  @Post('language')
  async changeLanguage(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!isSameOriginPost(request)) return this.formExpired(request, reply);
    const form = formOf(request);
    const language = pageLanguageOf(form.language);
    if (language) {
      setCookie(reply, COOKIES.language, language, LANGUAGE_COOKIE_MAX_AGE);
      const session = await this.session(request);
      if (session) await this.api.call(request, 'PATCH', '/v1/portal/me/preferences', { session: session.token, body: { language } });
    }
    redirect(reply, portalPath(form.return));
  }

  // ---------------------------------------------------------------------------------------
  // What is shared with the person's company
  // ---------------------------------------------------------------------------------------

  @Get()
  async landing(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('notice') notice?: unknown): Promise<void> {
    const session = await this.requireSession(request, reply);
    if (!session) return;
    const signedIn = await this.signedInContext(request, reply, session, '/portal');
    if (!signedIn) return this.sessionEnded(reply);
    const { ctx, me } = signedIn;
    const { principal } = session;
    // A module is listed where the user type, or one of the person's projects, lets it view.
    const views = async (module: ListedModule) => this.permissions.mayUseModule(principal, module, 'view');
    const list = <T>(path: string) => this.api.call<{ items: T[] }>(request, 'GET', `${path}?limit=${LIST_LIMIT}`, { session: session.token });
    const [awaiting, shifts, timesheets, quotes, invoices] = await Promise.all([
      list<DocumentView>('/v1/portal/approvals'),
      (await views('shifts')) ? list<ShiftView>('/v1/portal/shifts') : undefined,
      (await views('timesheets')) ? list<TimesheetView>('/v1/portal/timesheets') : undefined,
      (await views('quotes')) ? list<QuoteSummaryView>('/v1/portal/quotes') : undefined,
      (await views('invoices')) ? list<InvoiceSummaryView>('/v1/portal/invoices') : undefined,
    ]);
    const items = <T>(answer: ApiAnswer<{ items: T[] }> | undefined) => (answer?.ok ? answer.body.items : []);
    const sections: LandingData['sections'] = [];
    const add = (module: ListedModule, answer: ApiAnswer<{ items: any[] }> | undefined, toItem: (ctx: PageContext, doc: any) => ReturnType<typeof shiftItem>, newestFirst: (doc: any) => string) => {
      if (answer?.ok) sections.push({ module, items: [...answer.body.items].sort((a, b) => newestFirst(b).localeCompare(newestFirst(a))).map((doc) => toItem(ctx, doc)) });
    };
    add('shifts', shifts, shiftItem, (s: ShiftView) => s.startsAt);
    add('timesheets', timesheets, timesheetItem, (t: TimesheetView) => t.createdAt);
    add('quotes', quotes, quoteItem, (q: QuoteSummaryView) => q.issueDate + q.createdAt);
    add('invoices', invoices, invoiceItem, (i: InvoiceSummaryView) => i.issueDate + i.createdAt);
    const noticeText = notice === 'welcome' ? ctx.m.welcomeNew : notice === 'password-changed' ? ctx.m.passwordChanged : undefined;
    send(
      reply,
      200,
      landingPage(ctx, {
        name: me.name,
        organizationName: ctx.organizationName ?? '',
        notice: noticeText,
        awaiting: items(awaiting).map((row) => awaitingItem(ctx, row)),
        sections,
      }),
    );
  }

  /** Opens a document: the API marks it viewed, as it does for any portal front end. */
  @Get('documents/:documentId')
  async document(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('documentId') documentId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const session = await this.requireSession(request, reply);
    if (!session) return;
    if (!UUID.test(documentId)) return this.notFound(request, reply);
    const signedIn = await this.signedInContext(request, reply, session, `/portal/documents/${documentId.toLowerCase()}`);
    if (!signedIn) return this.sessionEnded(reply);
    const { ctx } = signedIn;
    // After an action, read at least what it wrote.
    const after = typeof query.after === 'string' && /^\d{1,15}$/.test(query.after) ? `?minPosition=${query.after}` : '';
    const opened = await this.api.call<{ kind: DocumentKind }>(request, 'GET', `/v1/portal/documents/${documentId}${after}`, { session: session.token });
    if (opened.status === 401) return this.sessionEnded(reply);
    if (!opened.ok) return this.notFound(request, reply, ctx);
    const kind = opened.body.kind;
    const [detail, comments] = await Promise.all([
      this.api.call<{ projectId?: string | null }>(request, 'GET', `/v1/portal/${DETAIL_PATH[kind]}/${documentId}${after}`, { session: session.token }),
      kind === 'shift' ? undefined : this.api.call<{ items: CommentView[] }>(request, 'GET', `/v1/portal/documents/${documentId}/comments?limit=100`, { session: session.token }),
    ]);
    if (!detail.ok) return this.notFound(request, reply, ctx);
    // The document's project's permissions where it has one, else the user type's.
    const permissions = await this.permissions.forDocument(session.principal, detail.body.projectId ?? null);
    const data: DocumentPageData = {
      document: { kind, [kind]: detail.body } as OpenedDocument,
      comments: comments?.ok ? comments.body.items : null,
      mayDecide: permissions?.[DOCUMENT_MODULE[kind]].approve === true,
      contactId: session.principal.contactId,
      notice: typeof query.notice === 'string' ? ctx.m.notices[query.notice] : undefined,
      problem: typeof query.problem === 'string' ? (ctx.m.problems[query.problem] ?? ctx.m.actionFailed) : undefined,
    };
    send(reply, 200, documentPage(ctx, data));
  }

  @Post('documents/:documentId/:action')
  async documentAction(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('documentId') documentId: string,
    @Param('action') actionName: string,
  ): Promise<void> {
    const session = await this.requireSession(request, reply);
    if (!session) return;
    if (!isSameOriginPost(request)) return this.formExpired(request, reply);
    const action = Object.hasOwn(ACTIONS, actionName) ? ACTIONS[actionName as keyof typeof ACTIONS] : undefined;
    if (!UUID.test(documentId) || !action) return this.notFound(request, reply);
    const id = documentId.toLowerCase();
    const done = await this.api.call<{ position?: number }>(request, 'POST', action.path(id), { session: session.token, body: action.body(formOf(request)) });
    if (done.status === 401) return this.sessionEnded(reply);
    const anchor = actionName === 'comments' ? '#comments' : '';
    if (!done.ok) {
      const code = done.status === 403 ? 'forbidden' : done.problem?.code ?? 'failed';
      return redirect(reply, `/portal/documents/${id}?problem=${encodeURIComponent(code)}${anchor}`);
    }
    const after = typeof done.body?.position === 'number' ? `&after=${done.body.position}` : '';
    redirect(reply, `/portal/documents/${id}?notice=${action.notice}${after}${anchor}`);
  }

  // ---------------------------------------------------------------------------------------
  // A portal of its own address (PUBLIC_PORTAL_URL/<slug>), and what is not a page
  // ---------------------------------------------------------------------------------------

  @Get(':slug')
  async portalBySlug(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('slug') slug: string): Promise<void> {
    const portal = await this.portals.bySlug(slug);
    if (!portal) return this.notFound(request, reply);
    if (await this.session(request)) return redirect(reply, '/portal');
    const organization = await this.organizations.get(portal.organizationId);
    const ctx = this.anonymousContext(request, reply, { language: undefined, fallbackLanguage: portal.defaultLanguage, organizationName: organization.name, returnPath: `/portal/${portal.slug}` });
    send(reply, 200, signInPage(ctx, { portalSlug: portal.slug }));
  }

  @Post(':slug')
  async signInToPortal(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('slug') slug: string): Promise<void> {
    const portal = await this.portals.bySlug(slug);
    if (!portal) return this.notFound(request, reply);
    return this.signInWithForm(request, reply, { id: portal.id, slug: portal.slug });
  }

  @Get('*')
  notAPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.notFound(request, reply);
  }

  // ---------------------------------------------------------------------------------------
  // The steps the pages share
  // ---------------------------------------------------------------------------------------

  private async signInWithForm(request: FastifyRequest, reply: FastifyReply, portal: { id: string; slug: string } | undefined): Promise<void> {
    if (!isSameOriginPost(request)) return this.formExpired(request, reply);
    const form = formOf(request);
    const email = (form.email ?? '').trim();
    const ctx = this.anonymousContext(request, reply, { returnPath: portal ? `/portal/${portal.slug}` : '/portal/sign-in' });
    const signedIn = await this.api.call<{ token: string; expiresAt: string }>(request, 'POST', '/v1/portal/sessions', {
      body: { email, password: form.password ?? '', ...(portal ? { portalId: portal.id } : {}) },
    });
    if (!signedIn.ok) {
      const problem = signedIn.status === 429 ? tooMany(ctx.m, signedIn) : ctx.m.signInFailed;
      return send(reply, signedIn.status === 429 ? 429 : 401, signInPage(ctx, { email, problem, portalSlug: portal?.slug }));
    }
    this.startSession(reply, signedIn.body);
    redirect(reply, '/portal');
  }

  /** After a password was set (invitation, reset): the person signs in with it at once. */
  private async signInAfterPassword(
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    input: { email: string; password: string; portalId: string; language: string | null; notice: 'welcome' | 'password-changed' },
  ): Promise<void> {
    const signedIn = await this.api.call<{ token: string; expiresAt: string }>(request, 'POST', '/v1/portal/sessions', {
      body: { email: input.email, password: input.password, portalId: input.portalId },
    });
    if (!signedIn.ok) return send(reply, 200, signInPage(ctx, { email: input.email }));
    const language = pageLanguageOf(input.language);
    if (language) setCookie(reply, COOKIES.language, language, LANGUAGE_COOKIE_MAX_AGE);
    this.startSession(reply, signedIn.body);
    redirect(reply, `/portal?notice=${input.notice}`);
  }

  private startSession(reply: FastifyReply, session: { token: string; expiresAt: string }): void {
    setCookie(reply, COOKIES.session, session.token, (Date.parse(session.expiresAt) - Date.now()) / 1000);
  }

  /** The session of the cookie, checked as the API checks a bearer token (signature, expiry, access state). */
  private async session(request: FastifyRequest): Promise<Session | undefined> {
    const token = cookiesOf(request)[COOKIES.session];
    if (!token) return undefined;
    const principal = await this.sessions.authenticate(`Bearer ${token}`);
    return principal ? { token, principal } : undefined;
  }

  /** The session, or (answered here) the way to sign-in: plainly, or saying the session ended. */
  private async requireSession(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    const session = await this.session(request);
    if (session) return session;
    if (cookiesOf(request)[COOKIES.session]) this.sessionEnded(reply);
    else redirect(reply, '/portal/sign-in');
    return undefined;
  }

  /**
   * A signed-in page's context: the person (from the API), its language (its preference, else
   * its invitation's language, else its portal's default) and time zone, its organization.
   */
  private async signedInContext(request: FastifyRequest, reply: FastifyReply, session: Session, path: string): Promise<{ ctx: PageContext; me: MeResponse } | undefined> {
    const { principal } = session;
    const [me, access, organization, portal] = await Promise.all([
      this.api.call<MeResponse>(request, 'GET', '/v1/portal/me', { session: session.token }),
      this.executor.load(portalAccessStream(principal.accessId), portalAccess, principal.organizationId),
      this.organizations.get(principal.organizationId),
      this.portals.resolve(principal.organizationId, principal.portalId).catch(() => undefined),
    ]);
    if (!me.ok) return undefined;
    const { preferences, invitationLanguage } = access.state;
    const language = pickLanguage(preferences.language, invitationLanguage, portal?.defaultLanguage);
    const ctx = pageContext({
      language,
      csrf: csrfTokenFor(request, reply),
      organizationName: organization.name,
      languageReturnPath: path,
      signedInAs: me.body.name,
      timeZone: me.body.preferences.timeZone,
      hour12: me.body.preferences.timeFormat === '12h',
    });
    return { ctx, me: me.body };
  }

  /** Before signing in: the language given (an invitation's), else the one chosen here, else the browser's. */
  private anonymousContext(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { language?: string | null; fallbackLanguage?: string; organizationName?: string | null; returnPath?: string; switcher?: boolean } = {},
  ): PageContext {
    return pageContext({
      language: anonymousLanguage(request, options.language, options.fallbackLanguage),
      csrf: csrfTokenFor(request, reply),
      organizationName: options.organizationName ?? null,
      languageReturnPath: options.switcher === false ? null : (options.returnPath ?? '/portal/sign-in'),
    });
  }

  /**
   * The token of an emailed link: from the address (then kept in a cookie, so that the page's
   * script can take it out of the address at once) or from that cookie on a later request.
   */
  private followLink(request: FastifyRequest, reply: FastifyReply, cookie: string, queryToken: unknown): string | undefined {
    if (typeof queryToken === 'string' && LINK_TOKEN.test(queryToken)) {
      setCookie(reply, cookie, queryToken, LINK_COOKIE_SECONDS);
      return queryToken;
    }
    const kept = cookiesOf(request)[cookie];
    return kept && LINK_TOKEN.test(kept) ? kept : undefined;
  }

  private invitationClosed(reply: FastifyReply, ctx: PageContext, invitation: { status: string; organizationName: string }): void {
    const { m } = ctx;
    const organization = invitation.organizationName;
    const signIn = { href: '/portal/sign-in', label: m.backToSignIn };
    const page =
      invitation.status === 'used'
        ? { title: m.invitationUsedTitle, text: m.invitationUsedText, links: [signIn, { href: '/portal/forgot-password', label: m.forgotLink }] }
        : invitation.status === 'superseded'
          ? { title: m.invitationSupersededTitle, text: m.invitationSupersededText(organization) }
          : invitation.status === 'expired'
            ? { title: m.invitationExpiredTitle, text: m.invitationExpiredText(organization) }
            : { title: m.invitationClosedTitle, text: m.invitationClosedText(organization) };
    send(reply, 410, messagePage(ctx, page));
  }

  /** An unknown invitation token, or too many tries: nothing about the token is said back. */
  private invitationRefused(request: FastifyRequest, reply: FastifyReply, answer: ApiAnswer<unknown>): void {
    clearCookie(reply, COOKIES.invitation);
    const ctx = this.anonymousContext(request, reply, { switcher: false });
    if (answer.status === 429) return send(reply, 429, messagePage(ctx, { title: ctx.m.invalidLinkTitle, text: tooMany(ctx.m, answer) }));
    send(reply, 400, messagePage(ctx, { title: ctx.m.invalidLinkTitle, text: ctx.m.invalidInvitationText }));
  }

  private resetClosed(reply: FastifyReply, ctx: PageContext, status: string): void {
    const { m } = ctx;
    const again = [{ href: '/portal/forgot-password', label: m.askNewLink }];
    const page =
      status === 'used'
        ? { title: m.resetUsedTitle, text: m.resetAgainText, links: again }
        : status === 'superseded'
          ? { title: m.resetSupersededTitle, text: m.resetAgainText, links: again }
          : status === 'expired'
            ? { title: m.resetExpiredTitle, text: m.resetAgainText, links: again }
            : { title: m.resetClosedTitle, text: m.resetClosedText };
    send(reply, 410, messagePage(ctx, page));
  }

  private resetRefused(request: FastifyRequest, reply: FastifyReply, answer: ApiAnswer<unknown>): void {
    clearCookie(reply, COOKIES.reset);
    const ctx = this.anonymousContext(request, reply, { switcher: false });
    if (answer.status === 429) return send(reply, 429, messagePage(ctx, { title: ctx.m.invalidLinkTitle, text: tooMany(ctx.m, answer) }));
    send(reply, 400, messagePage(ctx, { title: ctx.m.invalidLinkTitle, text: ctx.m.invalidResetText, links: [{ href: '/portal/forgot-password', label: ctx.m.askNewLink }] }));
  }

  private linkMissing(request: FastifyRequest, reply: FastifyReply): void {
    const ctx = this.anonymousContext(request, reply, { switcher: false });
    send(reply, 400, messagePage(ctx, { title: ctx.m.missingLinkTitle, text: ctx.m.missingLinkText }));
  }

  private formExpired(request: FastifyRequest, reply: FastifyReply): void {
    const ctx = this.anonymousContext(request, reply, { switcher: false });
    send(reply, 403, messagePage(ctx, { title: ctx.m.errorSummary, text: ctx.m.formExpired, links: [{ href: '/portal', label: ctx.m.backToPortal }] }));
  }

  private sessionEnded(reply: FastifyReply): void {
    clearCookie(reply, COOKIES.session);
    redirect(reply, '/portal/sign-in?notice=session-ended');
  }

  private notFound(request: FastifyRequest, reply: FastifyReply, ctx?: PageContext): void {
    const context = ctx ?? this.anonymousContext(request, reply, { switcher: false });
    send(reply, 404, messagePage(context, { title: context.m.notFoundTitle, text: context.m.notFoundText, links: [{ href: '/portal', label: context.m.backToPortal }] }));
  }
}

interface InvitationDescription {
  status: string;
  organizationName: string;
  portalId: string;
  portalName: string;
  contactName: string;
  email: string;
  language: string;
  expiresAt: string;
}

interface ResetDescription {
  status: string;
  organizationName: string;
  portalId: string;
  email: string;
  language: string | null;
  expiresAt: string;
}

export function anonymousLanguage(request: FastifyRequest, given?: string | null, fallback?: string): PageLanguage {
  return pickLanguage(given, cookiesOf(request)[COOKIES.language], ...acceptedLanguages(request.headers['accept-language']), fallback);
}

function send(reply: FastifyReply, status: number, page: Html): void {
  pageHeaders(reply).status(status).send(page.value);
}

/** After a form: 303, so that reloading the next page never posts the form again. */
function redirect(reply: FastifyReply, location: string): void {
  pageHeaders(reply).status(303).header('location', location).send('');
}

/** Why the API refused a new password, in the person's words (the API's rules, its reasons). */
function passwordProblem(m: Messages, answer: ApiAnswer<unknown>): string {
  const detail = answer.problem?.detail ?? '';
  if (/at least \d+ characters/.test(detail)) return m.passwordTooShort;
  if (/most common/.test(detail)) return m.passwordCommon;
  if (/repeats/.test(detail)) return m.passwordRepeats;
  return m.passwordRefused;
}

function tooMany(m: Messages, answer: ApiAnswer<unknown>): string {
  return m.tooManyAttempts(Math.max(1, Math.ceil((answer.problem?.retryAfterSeconds ?? 60) / 60)));
}

/** The decider's reason for a link that no longer works, as the pages name it. */
function closedReason(reason: string | undefined): string {
  return reason === 'used' || reason === 'superseded' || reason === 'expired' ? reason : 'closed';
}

