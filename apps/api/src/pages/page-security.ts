import { randomBytes, timingSafeEqual } from 'node:crypto';
import { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Cookies of the pages. All are `__Host-` cookies (Secure, Path=/, no Domain: no other host,
 * not even a sibling subdomain, can set or read them), HttpOnly (no script reads them) and
 * SameSite=Strict (another site's page never makes the browser send them).
 *
 * - session: the portal session token. A cookie rather than script memory because the pages
 *   are rendered on the server: every page load must prove who is asking, and a token in
 *   script memory would be readable by any script that ever ran in the page.
 * - csrf: a random value each form repeats (double submit), checked with the request's origin.
 * - invitation / reset: the token of the link being followed, so that the token leaves the
 *   address bar at once and a form shown again after a refused password still works.
 * - language: the language chosen on a page before signing in.
 */
export const COOKIES = {
  session: '__Host-portal-session',
  csrf: '__Host-portal-csrf',
  invitation: '__Host-portal-invitation',
  reset: '__Host-portal-reset',
  language: '__Host-portal-language',
} as const;

/** How long the token of a followed link is kept: enough to choose a password. */
export const LINK_COOKIE_SECONDS = 30 * 60;
const CSRF_COOKIE_SECONDS = 12 * 60 * 60;
const LANGUAGE_COOKIE_SECONDS = 365 * 24 * 60 * 60;
export const LANGUAGE_COOKIE_MAX_AGE = LANGUAGE_COOKIE_SECONDS;

/** Only what the pages' own files need: no inline script or style, no other origin, no framing. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** The headers of every page: set here, by the pages themselves, whatever the API sets elsewhere. */
export function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers({
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    // A page's address may hold a token: never send it to anyone, not even to ourselves.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    // Personal data and tokens: no copy in any cache, nor in the back/forward cache of a shared computer.
    'cache-control': 'no-store',
  });
}

export function cookiesOf(request: FastifyRequest): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (name && !(name in cookies)) cookies[name] = part.slice(at + 1).trim();
  }
  return cookies;
}

/** Values are tokens and language tags: only URL-safe characters ever go into a cookie. */
const COOKIE_VALUE = /^[A-Za-z0-9_.-]{0,4096}$/;

export function setCookie(reply: FastifyReply, name: string, value: string, maxAgeSeconds: number): void {
  if (!COOKIE_VALUE.test(value)) throw new Error(`Refusing to set cookie ${name}: unexpected characters`);
  reply.header('set-cookie', `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`);
}

export function clearCookie(reply: FastifyReply, name: string): void {
  reply.header('set-cookie', `${name}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`);
}

/** Tokens issued while answering a request, so that every form of one page repeats the same one. */
const issuedCsrfTokens = new WeakMap<FastifyRequest, string>();

/** The form token of this browser: the cookie's, or a new one set now. */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
  const existing = cookiesOf(request)[COOKIES.csrf];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  let token = issuedCsrfTokens.get(request);
  if (!token) {
    token = randomBytes(32).toString('base64url');
    issuedCsrfTokens.set(request, token);
    setCookie(reply, COOKIES.csrf, token, CSRF_COOKIE_SECONDS);
  }
  return token;
}

/**
 * Whether a form post comes from our own page: the browser says it is same-origin (where it
 * says anything), the Origin (where one is sent) is ours, and the form repeats this browser's
 * token.
 */
export function isSameOriginPost(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  // Pages sent with Referrer-Policy: no-referrer post with `Origin: null`: then the browser's
  // Sec-Fetch-Site (above) and the form token (below) decide.
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    try {
      if (new URL(origin).host !== request.host) return false;
    } catch {
      return false;
    }
  }
  const cookie = cookiesOf(request)[COOKIES.csrf] ?? '';
  const field = formOf(request).csrf ?? '';
  if (!cookie || cookie.length !== field.length) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
}

/** The posted form's fields (strings only; a repeated field keeps its first value). */
export function formOf(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  if (!body || typeof body !== 'object') return {};
  const form: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') form[key] = value;
  }
  return form;
}

/** application/x-www-form-urlencoded, parsed into a prototype-less object, for the pages only. */
export function parseForm(body: string): Record<string, string> {
  const form: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(body)) if (!(key in form)) form[key] = value;
  return form;
}

/** A path of the portal to go back to after a form; anything else (another host, `//x`) is refused. */
export function portalPath(candidate: string | undefined, fallback = '/portal'): string {
  if (!candidate || !/^\/portal(\/[A-Za-z0-9/_-]*)?$/.test(candidate)) return fallback;
  return candidate;
}
