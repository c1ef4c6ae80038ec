import { randomUUID } from 'node:crypto';
import { TestApp, tokenIn } from './app';

export interface SignedInPortalUser {
  contactId: string;
  email: string;
  password: string;
  /** The portal session token (Authorization: Bearer <session>). */
  session: string;
  /** Headers that act as this user. */
  headers: Record<string, string>;
}

export const PORTAL_PASSWORD = 'a long and unusual passphrase';

/**
 * A contact of `clientId` invited (into the default portal unless `portalId` says otherwise,
 * with `userTypeId` when given), who accepted the emailed invitation and signed in: the whole
 * flow over HTTP, as a person would do it. Fails the test when a step answers otherwise.
 */
export async function signedInPortalUser(
  api: TestApp,
  clientId: string,
  options: { userTypeId?: string; portalId?: string; name?: string } = {},
): Promise<SignedInPortalUser> {
  const email = `${randomUUID()}@client.example`;
  const added = await api.request('POST', `/v1/clients/${clientId}/contacts`, { name: options.name ?? 'Pat Doe', email });
  expectStatus(added, 201, 'add the contact');
  const contactId = added.body.id as string;
  const invite: Record<string, string> = {};
  if (options.userTypeId) invite.userTypeId = options.userTypeId;
  if (options.portalId) invite.portalId = options.portalId;
  expectStatus(await api.request('POST', `/v1/contacts/${contactId}/portal-access/invite`, invite), 200, 'invite');
  const message = (await api.outbox()).filter((m) => m.content.includes(`To: ${email}`)).at(-1);
  if (!message) throw new Error(`No invitation email to ${email}`);
  const anonymous = { authorization: '' };
  const accepted = await api.request('POST', '/v1/portal/invitations/accept', { token: tokenIn(message.content), password: PORTAL_PASSWORD }, anonymous);
  expectStatus(accepted, 200, 'accept the invitation');
  const signedIn = await api.request('POST', '/v1/portal/sessions', { email, password: PORTAL_PASSWORD }, anonymous);
  expectStatus(signedIn, 200, 'sign in');
  const session = signedIn.body.token as string;
  return { contactId, email, password: PORTAL_PASSWORD, session, headers: { authorization: `Bearer ${session}` } };
}

function expectStatus(response: { status: number; body: unknown }, status: number, step: string): void {
  if (response.status !== status) throw new Error(`${step}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
}
