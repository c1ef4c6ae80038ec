import { HtmlPages } from '../http/html-pages';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/access';
import { loadAssets } from './assets';

/** The pages' CSS, scripts and icon: same origin, so the pages' CSP needs no other source. */
@HtmlPages()
@Public()
@Controller('portal/assets')
export class PageAssetsController {
  private readonly assets = loadAssets();

  @Get(':file')
  file(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('file') file: string): void {
    const asset = this.assets.get(file);
    if (!asset) {
      reply.status(404).header('content-type', 'text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send('Not found');
      return;
    }
    reply.headers({ 'content-type': asset.contentType, etag: asset.etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    if (request.headers['if-none-match'] === asset.etag) {
      reply.status(304).send();
      return;
    }
    reply.status(200).send(asset.body);
  }
}
