import { Response, TestApp } from './app';

/** The position of the newest event in the log (the operator's view of /health). */
export async function headPosition(api: TestApp): Promise<number> {
  const health = await api.request<{ headPosition: number }>('GET', '/health');
  if (health.status !== 200) throw new Error(`/health answered ${health.status}`);
  return health.body.headPosition;
}

/**
 * The one "answers problem X and writes nothing" assertion: `send` must be answered with this
 * status (a 4xx or 5xx as problem+json, of this problem type when given), and the log's head
 * must not have moved. A 2xx status is allowed for a request that must answer and still write
 * nothing (every entry of a bulk request skipped). `request` names the request in a failure.
 * Answers the response for further checks.
 */
export async function expectProblem(
  api: TestApp,
  send: () => Promise<Response>,
  expected: { status: number; type?: string; request?: Record<string, unknown> },
): Promise<Response> {
  const before = await headPosition(api);
  const response = await send();
  const problem = expected.status >= 400;
  const type = expected.type !== undefined ? `/problems/${expected.type}` : problem ? expect.any(String) : response.body?.type;
  expect({ ...expected.request, status: response.status, type: response.body?.type }).toEqual({ ...expected.request, status: expected.status, type });
  if (problem) expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(await headPosition(api)).toBe(before);
  return response;
}
