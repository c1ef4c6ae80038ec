import { ProblemException } from '../http/problem';
import { FailureLimiter, SIGN_IN_POLICY } from './failure-limiter';

const MINUTE = 60_000;

/** Signs in `times` times with a wrong password, as the service does: check, then count the failure. */
async function failSignIn(limiter: FailureLimiter, account: string, address: string, times: number, now: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const limits = await limiter.signInLimits(account, address, now);
    await limiter.check(limits, now);
    await limiter.fail(limits, now);
  }
}

async function refusal(run: () => Promise<void>): Promise<ProblemException | undefined> {
  try {
    await run();
  } catch (error) {
    return error as ProblemException;
  }
  return undefined;
}

describe('sign-in limits', () => {
  const t0 = Date.parse('2026-03-01T10:00:00Z');
  const account = 'ana@acme.example';

  it('stop an address guessing an account, and not the owner signing in from elsewhere', async () => {
    const limiter = new FailureLimiter();
    await failSignIn(limiter, account, '203.0.113.9', SIGN_IN_POLICY.perAccountAndAddress.max, t0);
    const blocked = await refusal(async () => limiter.check(await limiter.signInLimits(account, '203.0.113.9', t0), t0));
    expect(blocked).toMatchObject({ status: 429, headers: { 'retry-after': String(15 * 60) } });
    expect(await refusal(async () => limiter.check(await limiter.signInLimits(account, '198.51.100.1', t0), t0))).toBeUndefined();
    // The window slides: 15 minutes after the first failure, that address may try again.
    expect(await refusal(async () => limiter.check(await limiter.signInLimits(account, '203.0.113.9', t0 + 15 * MINUTE), t0 + 15 * MINUTE))).toBeUndefined();
  });

  it('stop one address spraying a password over many accounts', async () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < SIGN_IN_POLICY.perAddress.max; i++) await failSignIn(limiter, `user${i}@acme.example`, '203.0.113.9', 1, t0);
    expect(await refusal(async () => limiter.check(await limiter.signInLimits('someone.else@acme.example', '203.0.113.9', t0), t0))).toMatchObject({ status: 429 });
  });

  it('slow guessing spread over many addresses, but let the owner in from an address it signed in from before', async () => {
    const limiter = new FailureLimiter();
    await limiter.signedIn(account, '198.51.100.1', t0 - 10 * 24 * 60 * MINUTE);
    for (let i = 0; i < SIGN_IN_POLICY.perAccount.max; i++) await failSignIn(limiter, account, `10.0.${Math.floor(i / 250)}.${i % 250}`, 1, t0 + i);
    const stranger = await refusal(async () => limiter.check(await limiter.signInLimits(account, '192.0.2.200', t0 + 1000), t0 + 1000));
    expect(stranger).toMatchObject({ status: 429 });
    expect(Number(stranger!.headers['retry-after'])).toBeGreaterThan(23 * 3600);
    expect(await refusal(async () => limiter.check(await limiter.signInLimits(account, '198.51.100.1', t0 + 1000), t0 + 1000))).toBeUndefined();
    // An address known more than 30 days ago is a stranger again.
    const later = t0 + 31 * 24 * 60 * MINUTE;
    for (let i = 0; i < SIGN_IN_POLICY.perAccount.max; i++) await failSignIn(limiter, account, `10.9.${Math.floor(i / 250)}.${i % 250}`, 1, later);
    expect(await refusal(async () => limiter.check(await limiter.signInLimits(account, '198.51.100.1', later), later))).toMatchObject({ status: 429 });
  });

  it('forget the failures of an address once the account signs in from it', async () => {
    const limiter = new FailureLimiter();
    await failSignIn(limiter, account, '203.0.113.9', SIGN_IN_POLICY.perAccountAndAddress.max - 1, t0);
    await limiter.signedIn(account, '203.0.113.9', t0);
    await failSignIn(limiter, account, '203.0.113.9', SIGN_IN_POLICY.perAccountAndAddress.max - 1, t0);
    expect(await refusal(async () => limiter.check(await limiter.signInLimits(account, '203.0.113.9', t0), t0))).toBeUndefined();
  });
});

describe('limits on every request (registrations, password reset requests)', () => {
  const t0 = Date.parse('2026-03-01T10:00:00Z');

  it('count each request, refuse past the limit without counting the refused ones, and let one through once the oldest leaves the window', async () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < 10; i++) await limiter.count(['registration:address:203.0.113.9'], t0 + i * MINUTE);
    const refused = await refusal(() => limiter.count(['registration:address:203.0.113.9'], t0 + 10 * MINUTE));
    expect(refused).toMatchObject({ status: 429, headers: { 'retry-after': String(5 * 60) } });
    // Refused requests did not count: at 15 minutes the first request leaves the window, and one more is let through.
    for (let i = 0; i < 5; i++) await refusal(() => limiter.count(['registration:address:203.0.113.9'], t0 + 11 * MINUTE));
    expect(await refusal(() => limiter.count(['registration:address:203.0.113.9'], t0 + 15 * MINUTE))).toBeUndefined();
    expect(await refusal(() => limiter.count(['registration:address:203.0.113.9'], t0 + 15 * MINUTE))).toMatchObject({ status: 429 });
  });

  it('refuse when any of the limits is reached, counting none of them', async () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < 10; i++) await limiter.count(['reset:address:192.0.2.1', `reset:account:${i}@acme.example`], t0);
    expect(await refusal(() => limiter.count(['reset:address:192.0.2.1', 'reset:account:other@acme.example'], t0))).toMatchObject({ status: 429 });
    for (let i = 0; i < 10; i++) await limiter.count(['reset:address:192.0.2.2', 'reset:account:other@acme.example'], t0);
  });
});
