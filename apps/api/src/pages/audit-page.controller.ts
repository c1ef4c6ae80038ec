import { HtmlPages } from '../http/html-pages';
import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/access';
import { PageErrorFilter } from './page-error.filter';
import { pageHeaders } from './page-security';
import { anonymousLanguage } from './portal-pages.controller';
import { auditPage } from './views/audit';
import { messagePage, pageContext } from './views/layout';

/** The auditor's page: public HTML; what it shows comes from the audit API with the auditor's own key. */
@HtmlPages()
@Public()
@UseFilters(PageErrorFilter)
@Controller('audit')
export class AuditPageController {
  @Get()
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const ctx = pageContext({ language: anonymousLanguage(request), csrf: '', organizationName: null, languageReturnPath: null });
    pageHeaders(reply).status(200).send(auditPage(ctx).value);
  }

  @Get('*')
  notAPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const ctx = pageContext({ language: anonymousLanguage(request), csrf: '', organizationName: null, languageReturnPath: null });
    pageHeaders(reply).status(404).send(messagePage(ctx, { title: ctx.m.notFoundTitle, text: ctx.m.notFoundText }).value);
  }
}
