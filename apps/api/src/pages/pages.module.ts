import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance } from 'fastify';
import { AuditPageController } from './audit-page.controller';
import { PageAssetsController } from './page-assets.controller';
import { parseForm } from './page-security';
import { PortalApi } from './portal-api';
import { PortalPagesController } from './portal-pages.controller';

/** Form posts are parsed for the pages only: the API keeps answering 415 to anything but JSON. */
const FORM_PATHS = /^\/(portal|audit)(\/|\?|$)/;

/**
 * The pages a person opens from an email (accept an invitation, reset a password, sign in,
 * the portal's landing page and documents) under /portal, and the auditor's page under
 * /audit: server-rendered HTML, a little plain script, no build step.
 */
@Module({
  controllers: [PageAssetsController, PortalPagesController, AuditPageController],
  providers: [PortalApi],
})
export class PagesModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (request, body, done) => {
      if (!FORM_PATHS.test(request.url)) {
        done(Object.assign(new Error('Unsupported Media Type: application/x-www-form-urlencoded'), { statusCode: 415 }), undefined);
        return;
      }
      done(null, parseForm(body as string));
    });
  }
}
