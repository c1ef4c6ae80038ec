import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@app/domain';
import { acceptedLanguages, messagesOf, pickLanguage } from './i18n';
import { pageHeaders } from './page-security';
import { messagePage, pageContext } from './views/layout';

/**
 * What a page shows when something fails: a plain page in the reader's language, never a
 * stack, never the address (it may hold a token). The log names the route, not the URL.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Pages');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const notFound = exception instanceof DomainError && exception.kind === 'not-found';
    if (!notFound) {
      this.logger.error(`${request.method} ${request.routeOptions.url ?? 'page'} failed`, exception instanceof Error ? exception.stack : String(exception));
    }
    const language = pickLanguage(...acceptedLanguages(request.headers['accept-language']));
    const m = messagesOf(language);
    const ctx = pageContext({ language, csrf: '', organizationName: null, languageReturnPath: null });
    const page = notFound
      ? messagePage(ctx, { title: m.notFoundTitle, text: m.notFoundText, links: [{ href: '/portal', label: m.backToPortal }] })
      : messagePage(ctx, { title: m.errorSummary, text: m.genericError, links: [{ href: '/portal', label: m.backToPortal }] });
    if (reply.sent) return;
    pageHeaders(reply).status(notFound ? 404 : 500).send(page.value);
  }
}
