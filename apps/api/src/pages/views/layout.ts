import { html, Html, HtmlValue } from '../html';
import { Messages, messagesOf, PAGE_LANGUAGES, PageLanguage } from '../i18n';
import { Formatter } from './format';

/** What every page view knows about the request it answers. */
export interface PageContext {
  language: PageLanguage;
  m: Messages;
  format: Formatter;
  /** The form token every form of the page repeats. */
  csrf: string;
  /** Who runs the portal, for the header; null where not known yet (before signing in). */
  organizationName: string | null;
  /** The portal path to come back to after changing the language; null: no language switcher. */
  languageReturnPath: string | null;
  /** The signed-in person's name: the header offers to sign out. */
  signedInAs?: string;
}

export function pageContext(input: Omit<PageContext, 'm' | 'format'> & { timeZone?: string; hour12?: boolean }): PageContext {
  const { timeZone, hour12, ...rest } = input;
  return { ...rest, m: messagesOf(input.language), format: new Formatter(input.language, timeZone, hour12) };
}

export function layout(ctx: PageContext, page: { title: string; body: HtmlValue; script?: 'portal' | 'audit' }): Html {
  const { m } = ctx;
  const brand = ctx.organizationName ? m.portalTitle(ctx.organizationName) : m.signInTitle;
  const script = page.script ?? 'portal';
  return html`<!doctype html>
<html lang="${ctx.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title} · ${script === 'audit' ? m.auditTitle : brand}</title>
<link rel="icon" href="/portal/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/portal/assets/pages.css">
<script src="/portal/assets/${script}.js"></script>
</head>
<body>
<a class="skip-link" href="#main">${m.skipToContent}</a>
<header class="site-header">
  <div class="wrap header-row">
    ${script === 'audit' ? html`<span class="brand">${m.auditTitle}</span>` : html`<a class="brand" href="/portal">${brand}</a>`}
    ${ctx.signedInAs
      ? html`<form method="post" action="/portal/sign-out" class="inline-form">
      ${csrfField(ctx)}
      <span class="signed-in-as">${ctx.signedInAs}</span>
      <button type="submit" class="button-link">${m.signOut}</button>
    </form>`
      : null}
  </div>
</header>
<main id="main" class="wrap" tabindex="-1">
${page.body}
</main>
${ctx.languageReturnPath ? languageSwitcher(ctx, ctx.languageReturnPath) : null}
</body>
</html>
`;
}

function languageSwitcher(ctx: PageContext, returnPath: string): Html {
  return html`<footer class="site-footer">
  <form method="post" action="/portal/language" class="wrap inline-form">
    ${csrfField(ctx)}
    <input type="hidden" name="return" value="${returnPath}">
    <label for="language-select">${ctx.m.language}</label>
    <select id="language-select" name="language">
      ${PAGE_LANGUAGES.map((language) => html`<option value="${language}" lang="${language}"${language === ctx.language ? html` selected` : null}>${messagesOf(language).languageName}</option>`)}
    </select>
    <button type="submit" class="secondary">${ctx.m.change}</button>
  </form>
</footer>`;
}

export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="csrf" value="${ctx.csrf}">`;
}

/** A message at the top of the page: `status` for news, `alert` for a problem (read out at once). */
export function banner(kind: 'notice' | 'problem', text: HtmlValue, title?: string): Html {
  return kind === 'problem'
    ? html`<div class="banner problem" role="alert" tabindex="-1" id="problem">${title ? html`<h2 class="banner-title">${title}</h2>` : null}<p>${text}</p></div>`
    : html`<div class="banner notice" role="status"><p>${text}</p></div>`;
}

/** A labelled input; its hint and its error are read with it (aria-describedby). */
export function field(input: {
  id: string;
  name: string;
  label: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  required?: boolean;
  hint?: HtmlValue;
  hintId?: string;
  error?: string;
  extra?: Html;
}): Html {
  const described = [input.hintId ?? (input.hint ? `${input.id}-hint` : null), input.error ? `${input.id}-error` : null].filter(Boolean).join(' ');
  return html`<div class="field${input.error ? ' has-error' : ''}">
  <label for="${input.id}">${input.label}</label>
  ${input.hint && !input.hintId ? html`<div class="hint" id="${input.id}-hint">${input.hint}</div>` : null}
  ${input.error ? html`<p class="field-error" id="${input.id}-error">${input.error}</p>` : null}
  <input id="${input.id}" name="${input.name}" type="${input.type ?? 'text'}"${input.value !== undefined ? html` value="${input.value}"` : null}${input.autocomplete ? html` autocomplete="${input.autocomplete}"` : null}${input.required ? html` required` : null}${described ? html` aria-describedby="${described}"` : null}${input.error ? html` aria-invalid="true"` : null}${input.extra ?? null}>
</div>`;
}

/** The password rules, stated before the person types (the same rules as the API). */
export function passwordRules(m: Messages): Html {
  return html`<div class="hint" id="password-rules">
  <p>${m.passwordRulesTitle}</p>
  <ul>${m.passwordRules.map((rule) => html`<li>${rule}</li>`)}</ul>
</div>`;
}

/** Two password fields with the rules; the script checks both as the person types. */
export function newPasswordFields(m: Messages, error?: string): Html {
  return html`${passwordRules(m)}
${field({ id: 'password', name: 'password', label: m.newPassword, type: 'password', autocomplete: 'new-password', required: true, hintId: 'password-rules', error, extra: html` minlength="10" maxlength="1024" data-password-rules` })}
${field({ id: 'password-repeat', name: 'passwordRepeat', label: m.repeatPassword, type: 'password', autocomplete: 'new-password', required: true, extra: html` data-repeat-of="password"` })}
<p class="field-error live-check" id="password-check" role="status" aria-live="polite" data-too-short="${m.passwordTooShort}" data-differ="${m.passwordsDiffer}" data-repeats="${m.passwordRepeats}"></p>`;
}

/** A page that only tells something: a heading, a text, and where to go from here. */
export function messagePage(ctx: PageContext, input: { title: string; text: HtmlValue; links?: Array<{ href: string; label: string }> }): Html {
  return layout(ctx, {
    title: input.title,
    body: html`<h1>${input.title}</h1>
<p>${input.text}</p>
${input.links?.length ? html`<ul class="next-steps">${input.links.map((link) => html`<li><a href="${link.href}">${link.label}</a></li>`)}</ul>` : null}`,
  });
}
