import { AsOf } from '../audit/as-of';
import { Body, Controller, Delete, Get, HttpCode, Inject, Injectable, Param, Patch, PipeTransform, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { defaultPortalId, DomainError, isKnownLanguage } from '@app/domain';
import { PORTAL_TEMPLATES_COLLECTION, PORTAL_USER_TYPES_COLLECTION, PortalRow, PORTALS_COLLECTION, ProjectionWaiter, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, READ_STORE } from '../infrastructure/tokens';
import { findPage, Page, ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import {
  ChangeUserTypeDto,
  CreatePortalDto,
  DefineUserTypeDto,
  InvitationTemplateDto,
  ListPortalsQuery,
  ModulesDto,
  PortalListItem,
  PortalPage,
  PortalPreviewResponse,
  PortalResponse,
  PreviewQuery,
  UpdatePortalDto,
  UserTypeResponse,
  WrittenPortalResponse,
} from './portals.dto';
import { ModulesInput, Portals, PortalPreview, PortalView, WrittenPortal, WrittenUserType } from './portals.service';
import { ChangeUserType, CreatePortal, DefineUserType, EnsureDefaultPortal, RemoveInvitationTemplate, SaveInvitationTemplate, UpdatePortal } from './portals.commands';
import { Problems } from '../http/problem-catalog';

/** A `:language` path segment: a known BCP 47 tag in canonical form (`en`, `ja`, `pt-BR`, `fr`). */
@Injectable()
export class LanguagePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || value.length > 35 || !isKnownLanguage(value)) {
      throw new DomainError('unprocessable', 'unknown-language', `"${String(value).slice(0, 35)}" is not a known BCP 47 language tag (en, ja, pt-BR, fr, ...).`, {
        field: 'language',
        errors: [{ field: 'language', message: 'language must be a known BCP 47 language tag' }],
      });
    }
    return value;
  }
}

@ApiTags('portals')
@Controller('v1/portals')
export class PortalsController {
  constructor(
    private readonly portals: Portals,
    private readonly commands: CommandBus,
    private readonly waiter: ProjectionWaiter,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @Staff('portals:manage')
  @ApiOperation({ summary: 'Create a portal (CreatePortal); at most MAX_PORTALS per organization (409 portal-limit-reached), slugs unique (409 slug-taken)' })
  @ApiCreatedResponse({ type: WrittenPortalResponse })
  @Problems('organization-not-found', 'name-required', 'name-too-long', 'invalid-slug', 'unknown-language', 'portal-limit-reached', 'slug-taken')
  create(@StaffContext() context: CommandContext, @Body() body: CreatePortalDto): Promise<WrittenPortal> {
    return this.commands.execute(new CreatePortal(context, body));
  }

  @Get()
  @Staff('read-models:read')
  @ApiOperation({ summary: "The organization's portals, with their template languages and user types" })
  @ApiOkResponse({ type: PortalPage })
  async list(@CurrentStaff() staff: StaffPrincipal, @Query() query: ListPortalsQuery): Promise<Page<PortalListItem>> {
    // An organization from before portals gets its default portal now, and sees it listed.
    if (!(await this.readStore.get(PORTALS_COLLECTION, defaultPortalId(staff.organizationId)))) {
      const ensured = await this.commands.execute(new EnsureDefaultPortal(staff.organizationId));
      await this.waiter.waitFor(ensured.position, this.config.readWaitTimeoutMs);
    }
    const page = await findPage(this.readStore, PORTALS_COLLECTION, { organizationId: staff.organizationId }, query, (doc) => doc);
    const items = await Promise.all(page.items.map((doc) => this.listItem(doc)));
    return { items, nextCursor: page.nextCursor };
  }

  @Get(':portalId')
  @AsOf('portal')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'A portal with its invitation templates and user types (from its event stream)' })
  @ApiOkResponse({ type: PortalResponse })
  @Problems('portal-not-found')
  get(@CurrentStaff() staff: StaffPrincipal, @Param('portalId', ResourceIdPipe) portalId: string, @Query() _query: ReadQuery): Promise<PortalView> {
    return this.portals.resolve(staff.organizationId, portalId);
  }

  @Patch(':portalId')
  @Staff('portals:manage')
  @ApiOperation({ summary: 'Change a portal: name, slug, self-registration, default language (UpdatePortal)' })
  @ApiOkResponse({ type: WrittenPortalResponse })
  @Problems('portal-not-found', 'name-required', 'name-too-long', 'invalid-slug', 'unknown-language', 'slug-taken')
  update(
    @StaffContext() context: CommandContext,
    @Param('portalId', ResourceIdPipe) portalId: string,
    @Body() body: UpdatePortalDto,
  ): Promise<WrittenPortal> {
    return this.commands.execute(new UpdatePortal(context, portalId, body));
  }

  @Put(':portalId/templates/:language')
  @HttpCode(200)
  @Staff('portals:manage')
  @ApiOperation({ summary: 'Save the invitation email template for a language (SaveInvitationTemplate); unknown placeholders are refused' })
  @ApiOkResponse({ type: WrittenPortalResponse })
  @Problems('portal-not-found', 'unknown-language', 'invalid-template', 'malformed-placeholder', 'unknown-placeholder', 'accept-url-required')
  saveTemplate(
    @StaffContext() context: CommandContext,
    @Param('portalId', ResourceIdPipe) portalId: string,
    @Param('language', LanguagePipe) language: string,
    @Body() body: InvitationTemplateDto,
  ): Promise<WrittenPortal> {
    return this.commands.execute(new SaveInvitationTemplate(context, portalId, language, body.subject, body.body));
  }

  @Delete(':portalId/templates/:language')
  @HttpCode(200)
  @Staff('portals:manage')
  @ApiOperation({ summary: 'Remove the invitation template of a language (RemoveInvitationTemplate): the default language’s, or the built-in email, is used' })
  @ApiOkResponse({ type: WrittenPortalResponse })
  @Problems('portal-not-found', 'unknown-language', 'template-not-found')
  removeTemplate(
    @StaffContext() context: CommandContext,
    @Param('portalId', ResourceIdPipe) portalId: string,
    @Param('language', LanguagePipe) language: string,
  ): Promise<WrittenPortal> {
    return this.commands.execute(new RemoveInvitationTemplate(context, portalId, language));
  }

  @Post(':portalId/user-types')
  @HttpCode(201)
  @Staff('portals:manage')
  @ApiOperation({ summary: 'Define a user type: per module, view/create/edit/delete (DefineUserType); at most MAX_USER_TYPES_PER_PORTAL' })
  @ApiCreatedResponse({ type: UserTypeResponse })
  @Problems('portal-not-found', 'name-required', 'name-too-long', 'unknown-module', 'unknown-action', 'permission-needs-view', 'user-type-name-taken', 'user-type-limit-reached')
  defineUserType(
    @StaffContext() context: CommandContext,
    @Param('portalId', ResourceIdPipe) portalId: string,
    @Body() body: DefineUserTypeDto,
  ): Promise<WrittenUserType> {
    return this.commands.execute(new DefineUserType(context, portalId, { name: body.name, modules: plainModules(body.modules) }));
  }

  @Patch(':portalId/user-types/:userTypeId')
  @Staff('portals:manage')
  @ApiOperation({ summary: "Rename a user type or replace its permissions (ChangeUserType)" })
  @ApiOkResponse({ type: UserTypeResponse })
  @Problems('portal-not-found', 'user-type-not-found', 'name-required', 'name-too-long', 'unknown-module', 'unknown-action', 'permission-needs-view', 'user-type-name-taken')
  changeUserType(
    @StaffContext() context: CommandContext,
    @Param('portalId', ResourceIdPipe) portalId: string,
    @Param('userTypeId', ResourceIdPipe) userTypeId: string,
    @Body() body: ChangeUserTypeDto,
  ): Promise<WrittenUserType> {
    return this.commands.execute(new ChangeUserType(context, portalId, userTypeId, { name: body.name, modules: body.modules ? plainModules(body.modules) : undefined }));
  }

  @Get(':portalId/preview')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'What a user of a user type would see: its modules and allowed actions, and its profile' })
  @ApiOkResponse({ type: PortalPreviewResponse })
  @Problems('portal-not-found', 'unknown-user-type')
  preview(@CurrentStaff() staff: StaffPrincipal, @Param('portalId', ResourceIdPipe) portalId: string, @Query() query: PreviewQuery): Promise<PortalPreview> {
    return this.portals.preview(staff.organizationId, portalId, query.userTypeId.toLowerCase());
  }

  private async listItem(doc: PortalRow): Promise<PortalListItem> {
    const [templates, userTypes] = await Promise.all([
      this.readStore.find(PORTAL_TEMPLATES_COLLECTION, { where: { portalId: doc.id }, limit: 500 }),
      this.readStore.find(PORTAL_USER_TYPES_COLLECTION, { where: { portalId: doc.id }, limit: 500 }),
    ]);
    return {
      id: doc.id,
      name: doc.name,
      slug: doc.slug,
      selfRegistration: doc.selfRegistration,
      defaultLanguage: doc.defaultLanguage,
      isDefault: doc.isDefault === true,
      templateLanguages: templates.map((t) => t.language).sort(),
      userTypes: userTypes
        .map((t) => ({ id: t.id, name: t.name, modules: t.modules, createdAt: t.createdAt }))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
        .map(({ createdAt: _createdAt, ...rest }) => rest),
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
    };
  }
}

/** The validated DTO as plain data for the domain (which checks it again). */
function plainModules(modules: ModulesDto): ModulesInput {
  return Object.fromEntries(
    Object.entries(modules)
      .filter(([, permissions]) => permissions !== undefined)
      .map(([module, permissions]) => [module, { ...(permissions as Record<string, boolean>) }]),
  );
}
