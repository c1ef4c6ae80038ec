import { html, Html, trusted } from '../html';
import { layout, PageContext } from './layout';

/**
 * The auditor's page: a shell the script fills from the audit API with the key the auditor
 * enters (kept in this tab's sessionStorage, sent as a bearer token, never to this page's URL).
 */
export function auditPage(ctx: PageContext): Html {
  const { m } = ctx;
  // Read by the script; JSON in a data block (not executed, so the CSP allows it), `<` escaped.
  const messages = trusted(JSON.stringify(m.auditUi).replace(/</g, '\\u003c'));
  return layout(ctx, {
    title: m.auditTitle,
    script: 'audit',
    body: html`<h1>${m.auditTitle}</h1>
<p>${m.auditIntro}</p>
<script type="application/json" id="audit-messages">${messages}</script>
<noscript><p class="banner problem">JavaScript is needed on this page.</p></noscript>
<section id="key-section">
  <form id="key-form" class="stack">
    <div class="field">
      <label for="audit-key">${m.auditKeyLabel}</label>
      <div class="hint" id="audit-key-hint">${m.auditKeyHint}</div>
      <p class="field-error" id="audit-key-error" role="alert"></p>
      <input id="audit-key" type="password" autocomplete="off" spellcheck="false" required aria-describedby="audit-key-hint audit-key-error">
    </div>
    <button type="submit">${m.auditKeyButton}</button>
  </form>
</section>
<section id="search-section" hidden>
  <form id="search-form" class="search-row" role="search">
    <div class="field">
      <label for="audit-query">${m.auditSearchLabel}</label>
      <input id="audit-query" type="search" required maxlength="200" autocomplete="off">
    </div>
    <button type="submit">${m.auditSearchButton}</button>
  </form>
  <p><button type="button" id="forget-key" class="button-link">${m.auditForgetKey}</button></p>
  <p id="search-status" role="status" aria-live="polite"></p>
  <ul id="results" class="items"></ul>
</section>
<section id="subject-section" class="panel" hidden aria-labelledby="subject-title">
  <h2 id="subject-title" tabindex="-1"></h2>
  <p id="subject-detail" class="hint"></p>
  <div id="related"></div>
  <form id="as-of-form" class="search-row" hidden>
    <div class="field">
      <label for="as-of">${m.auditUi.asOf}</label>
      <input id="as-of" type="datetime-local" step="1" required>
    </div>
    <button type="submit" class="secondary">${m.auditUi.showAsOf}</button>
  </form>
  <div id="verify" hidden>
    <button type="button" id="verify-button" class="secondary">${m.auditUi.verify}</button>
    <p id="verify-result" role="status" aria-live="polite"></p>
  </div>
  <h3 id="history-title">${m.auditUi.history}</h3>
  <p id="history-status" role="status" aria-live="polite"></p>
  <ol id="timeline" class="timeline" aria-labelledby="history-title"></ol>
  <button type="button" id="more" class="secondary" hidden>${m.auditUi.more}</button>
</section>`,
  });
}
