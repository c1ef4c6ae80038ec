import { randomUUID } from 'node:crypto';
import { Response, TestApp, tokenIn } from './app';

export interface SignedInPortalUser {
  contactId: string;
  email: string;
  password: string;
  /** The portal session token (Authorization: Bearer <session>). */
  session: string;
  /** Headers that act as this user. */
  headers: Record<string, string>;
  /** The token of the invitation it accepted (a secret: specs that look for leaks watch it). */
  invitationToken: string;
  /** The position the acceptance wrote. */
  acceptedPosition: number;
}

export interface PortalUserOptions {
  userTypeId?: string;
  portalId?: string;
  /** The new contact's name (default: Pat Doe) and email (default: a fresh address). */
  name?: string;
  email?: string;
  /** An existing contact of the company to invite instead of a new one (it needs an email). */
  contact?: { contactId: string; email: string };
  password?: string;
  /** The staff key of the organization (default: the operator's admin key). */
  apiKey?: string;
  /** Headers added to the sign-in (a client address, ...). */
  signInHeaders?: Record<string, string>;
  /** Sends the requests (default: `api.request`): a spec that watches every answer passes its own. */
  request?: TestApp['request'];
}

export const PORTAL_PASSWORD = 'a long and unusual passphrase';

/**
 * A contact of `clientId` invited (into the default portal unless `portalId` says otherwise,
 * with `userTypeId` when given), who accepted the emailed invitation and signed in: the whole
 * flow over HTTP, as a person would do it. Fails the test when a step answers otherwise.
 */
export async function signedInPortalUser(api: TestApp, clientId: string, options: PortalUserOptions = {}): Promise<SignedInPortalUser> {
  const request = options.request ?? api.request;
  const staff: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const anonymous = { authorization: '' };
  const password = options.password ?? PORTAL_PASSWORD;
  let contactId = options.contact?.contactId;
  const email = options.contact?.email ?? options.email ?? `${randomUUID()}@client.example`;
  if (!contactId) {
    const added = await request('POST', `/v1/clients/${clientId}/contacts`, { name: options.name ?? 'Pat Doe', email }, staff);
    expectStatus(added, 201, 'add the contact');
    contactId = added.body.id as string;
  }
  const invite: Record<string, string> = {};
  if (options.userTypeId) invite.userTypeId = options.userTypeId;
  if (options.portalId) invite.portalId = options.portalId;
  expectStatus(await request('POST', `/v1/contacts/${contactId}/portal-access/invite`, invite, staff), 200, 'invite');
  const message = (await api.outbox()).filter((m) => m.content.includes(`To: ${email}`)).at(-1);
  if (!message) throw new Error(`No invitation email to ${email}`);
  const invitationToken = tokenIn(message.content);
  const accepted = await request('POST', '/v1/portal/invitations/accept', { token: invitationToken, password }, anonymous);
  expectStatus(accepted, 200, 'accept the invitation');
  const signedIn = await request('POST', '/v1/portal/sessions', { email, password }, { ...anonymous, ...options.signInHeaders });
  expectStatus(signedIn, 200, 'sign in');
  const session = signedIn.body.token as string;
  return { contactId, email, password, session, headers: { authorization: `Bearer ${session}` }, invitationToken, acceptedPosition: accepted.body.position as number };
}

function expectStatus(response: Response, status: number, step: string): void {
  if (response.status !== status) throw new Error(`${step}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
}
