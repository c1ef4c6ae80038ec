import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

const HTML_PAGES = 'htmlPages';

/**
 * A controller of HTML pages, not of the API: left out of the OpenAPI document, and not held
 * to the API's request shape (the pages read their own query and answer refusals in HTML).
 */
export const HtmlPages = () => applyDecorators(ApiExcludeController(), SetMetadata(HTML_PAGES, true));

export function servesHtmlPages(controller: Function): boolean {
  return Reflect.getMetadata(HTML_PAGES, controller) === true;
}
