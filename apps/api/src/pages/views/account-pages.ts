import { html, Html } from '../html';
import { banner, csrfField, field, layout, newPasswordFields, PageContext } from './layout';

export interface InvitationView {
  organizationName: string;
  portalName: string;
  contactName: string;
  email: string;
  expiresAt: string;
}

/** Who invited the person to which portal, and the password form (the token is in a cookie, not in the page). */
export function acceptInvitationPage(ctx: PageContext, invitation: InvitationView, problem?: { text: string; field?: 'password' }): Html {
  const { m } = ctx;
  return layout(ctx, {
    title: m.acceptTitle,
    body: html`<h1>${m.acceptTitle}</h1>
${problem ? banner('problem', problem.text, m.errorSummary) : null}
<p>${m.hello(invitation.contactName)}</p>
<p>${m.invitedBy(invitation.organizationName, invitation.portalName)}</p>
<p>${m.yourUsername} <strong class="username">${invitation.email}</strong></p>
<p class="hint">${m.validUntil(ctx.format.dateTime(invitation.expiresAt))}</p>
<form method="post" action="/portal/accept-invitation" class="stack" data-new-password>
  ${csrfField(ctx)}
  <input type="text" name="username" value="${invitation.email}" autocomplete="username" hidden readonly>
  ${newPasswordFields(m, problem?.field === 'password' ? problem.text : undefined)}
  <button type="submit">${m.acceptButton}</button>
</form>`,
  });
}

export function resetPasswordPage(ctx: PageContext, reset: { email: string }, problem?: { text: string; field?: 'password' }): Html {
  const { m } = ctx;
  return layout(ctx, {
    title: m.resetTitle,
    body: html`<h1>${m.resetTitle}</h1>
${problem ? banner('problem', problem.text, m.errorSummary) : null}
<p>${m.resetFor(reset.email)}</p>
<form method="post" action="/portal/reset-password" class="stack" data-new-password>
  ${csrfField(ctx)}
  <input type="text" name="username" value="${reset.email}" autocomplete="username" hidden readonly>
  ${newPasswordFields(m, problem?.field === 'password' ? problem.text : undefined)}
  <button type="submit">${m.resetButton}</button>
</form>`,
  });
}

export function forgotPasswordPage(ctx: PageContext, input: { email?: string; problem?: string } = {}): Html {
  const { m } = ctx;
  return layout(ctx, {
    title: m.forgotTitle,
    body: html`<h1>${m.forgotTitle}</h1>
${input.problem ? banner('problem', input.problem, m.errorSummary) : null}
<p>${m.forgotIntro}</p>
<form method="post" action="/portal/forgot-password" class="stack">
  ${csrfField(ctx)}
  ${field({ id: 'email', name: 'email', label: m.email, type: 'email', autocomplete: 'email', required: true, value: input.email, extra: html` maxlength="254"` })}
  <button type="submit">${m.forgotButton}</button>
</form>
<p><a href="/portal/sign-in">${m.backToSignIn}</a></p>`,
  });
}

export function signInPage(
  ctx: PageContext,
  input: { email?: string; problem?: string; notice?: string; portalSlug?: string } = {},
): Html {
  const { m } = ctx;
  const action = input.portalSlug ? `/portal/${input.portalSlug}` : '/portal/sign-in';
  return layout(ctx, {
    title: m.signIn,
    body: html`<h1>${m.signInTitle}</h1>
${input.notice ? banner('notice', input.notice) : null}
${input.problem ? banner('problem', input.problem, m.errorSummary) : null}
<form method="post" action="${action}" class="stack">
  ${csrfField(ctx)}
  ${field({ id: 'email', name: 'email', label: m.email, type: 'email', autocomplete: 'username', required: true, value: input.email, extra: html` maxlength="254"` })}
  ${field({ id: 'password', name: 'password', label: m.password, type: 'password', autocomplete: 'current-password', required: true, extra: html` maxlength="1024"` })}
  <button type="submit">${m.signIn}</button>
</form>
<p><a href="/portal/forgot-password">${m.forgotLink}</a></p>`,
  });
}
