import { KnownEvent } from '../../libs/domain/src';
import { EventStore, RecordedEvent } from '../../libs/event-store/src';
import { ProjectionWaiter } from '../../libs/projections/src';
import { eventToAppend, EventOptions } from '../../libs/projections/src/testing/events';
import { OPERATOR_ORGANIZATION_ID } from '../../apps/api/src/auth/api-keys';
import { EVENT_STORE } from '../../apps/api/src/infrastructure/tokens';
import { Invitations } from '../../apps/api/src/portal-access/invitations';
import { removeDataDir, Response, startApp, TestApp } from './app';

/**
 * Given/when/then for the API, between the deciders' specs and the end-to-end suites: given
 * these streams (the domain's typed events, appended to the app's event store as its command
 * handlers would have written them), when this request (real HTTP), then this response and
 * exactly these new events. One app per spec file (the embedded store in a temp dir: the app
 * has no in-memory store), started before its tests; scenarios keep apart by using fresh ids.
 *
 *   const spec = apiSpecification({ MAX_USERS_PER_PORTAL: '2' });
 *   const scenario = await spec.given(on(`portalSeats-${portalId}`, seatTaken(a), seatTaken(b)), ...);
 *   await scenario.when(staff('POST', `/v1/contacts/${contactId}/portal-access/invite`, { portalId }))
 *     .then({ status: 409, problem: 'portal-user-limit-reached', events: [] });
 *
 * (Do not await `when(...)` alone: await its `then(...)`.)
 */

/** Events of one stream, with the metadata they were written with (default: the operator's organization, now, by the system). */
export interface GivenStream {
  stream: string;
  events: KnownEvent[];
  options: EventOptions;
}

export function on(stream: string, ...events: KnownEvent[]): GivenStream {
  return { stream, events, options: {} };
}

/** The same, written at another time or by someone else (a seat taken two hours ago, ...). */
export function onAt(stream: string, options: EventOptions, ...events: KnownEvent[]): GivenStream {
  return { stream, events, options };
}

export interface ApiRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Default: the operator's admin key; `{ authorization: '' }` for none. */
  headers?: Record<string, string>;
}

export const staff = (method: string, path: string, body?: unknown): ApiRequest => ({ method, path, body });
export const anonymous = (method: string, path: string, body?: unknown): ApiRequest => ({ method, path, body, headers: { authorization: '' } });
export const asPortalUser = (user: { headers: Record<string, string> }, method: string, path: string, body?: unknown): ApiRequest => ({ method, path, body, headers: user.headers });

/** A new event as `then` expects it: its type, and (partly) its stream and data. */
export interface ExpectedEvent {
  type: string;
  stream?: string;
  data?: Record<string, unknown>;
}

export interface Expected {
  status: number;
  /** The problem type (`/problems/<problem>`), for a refusal. */
  problem?: string;
  /** Fields the body must have (a partial match). */
  body?: Record<string, unknown>;
  /** Exactly the events the request wrote, in order (partial match of each); [] when it must write nothing. */
  events: ExpectedEvent[];
}

export interface Outcome {
  response: Response;
  events: RecordedEvent[];
}

export interface Scenario {
  /** The token the service would have emailed for an invitation of the given streams. */
  invitationToken(invitation: { accessId: string; invitationId: string }): string;
  /** Accepts a given invitation over HTTP and signs in: the headers that act as that portal user (part of the given). */
  signedIn(invitation: { accessId: string; invitationId: string; email: string }): Promise<{ headers: Record<string, string> }>;
  when(request: ApiRequest): { then(expected: Expected): Promise<Outcome> };
}

export const ORGANIZATION_ID = OPERATOR_ORGANIZATION_ID;
const PASSWORD = 'a long and unusual passphrase';
const SYSTEM: EventOptions = { organizationId: ORGANIZATION_ID, actor: { kind: 'system', id: 'api-spec' }, channel: 'system' };

/** Starts the app for the spec file (beforeAll) and stops it (afterAll); `env` as for startApp. */
export function apiSpecification(env: Record<string, string> = {}) {
  let api: TestApp | undefined;
  beforeAll(async () => {
    // No anchor events in the middle of a scenario's new events.
    api = await startApp({ AUDIT_ANCHOR_INTERVAL_SECONDS: '0', ...env });
  });
  afterAll(async () => {
    if (!api) return;
    await api.close();
    removeDataDir(api.dataDir);
  });
  const app = (): TestApp => {
    if (!api) throw new Error('apiSpecification: the app is not started (declare the spec at the top of a describe)');
    return api;
  };
  const events = () => app().app.get<symbol, EventStore>(EVENT_STORE, { strict: false });
  /** The read models have caught up with everything written so far. */
  const caughtUp = async (position?: bigint) => {
    const head = position ?? (await events().headPosition());
    if (!(await app().app.get(ProjectionWaiter, { strict: false }).waitFor(head, 10_000))) throw new Error(`The projections did not reach position ${head}`);
  };

  return {
    get api(): TestApp {
      return app();
    },

    async given(...streams: GivenStream[]): Promise<Scenario> {
      for (const { stream, events: given, options } of streams) {
        if (given.length === 0) continue;
        await events().appendToStream(stream, given.map((event) => eventToAppend(event, { ...SYSTEM, ...options })), { expectedRevision: 'any' });
      }
      await caughtUp();
      return scenario();
    },
  };

  function scenario(): Scenario {
    const invitationToken = ({ accessId, invitationId }: { accessId: string; invitationId: string }) =>
      app().app.get(Invitations, { strict: false }).tokenFor({ organizationId: ORGANIZATION_ID, accessId, invitationId });
    return {
      invitationToken,

      async signedIn(invitation) {
        const anonymousHeaders = { authorization: '' };
        const accepted = await app().request('POST', '/v1/portal/invitations/accept', { token: invitationToken(invitation), password: PASSWORD }, anonymousHeaders);
        if (accepted.status !== 200) throw new Error(`accept the invitation: ${accepted.status} ${JSON.stringify(accepted.body)}`);
        await caughtUp(BigInt(accepted.body.position));
        const session = await app().request('POST', '/v1/portal/sessions', { email: invitation.email, password: PASSWORD }, anonymousHeaders);
        if (session.status !== 200) throw new Error(`sign in: ${session.status} ${JSON.stringify(session.body)}`);
        return { headers: { authorization: `Bearer ${session.body.token}` } };
      },

      when(request) {
        return {
          async then(expected) {
            const before = await events().headPosition();
            const response = await app().request(request.method, request.path, request.body, request.headers);
            const written = await events().readAll({ after: before, maxCount: 1000 });
            const problem = expected.problem === undefined ? {} : { type: `/problems/${expected.problem}` };
            expect({ status: response.status, body: response.body }).toMatchObject({ status: expected.status, body: { ...expected.body, ...problem } });
            expect(written.map(({ streamName, type, data }) => ({ stream: streamName, type, data }))).toMatchObject(expected.events);
            expect(written).toHaveLength(expected.events.length);
            return { response, events: written };
          },
        };
      },
    };
  }
}
