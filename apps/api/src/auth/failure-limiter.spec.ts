import { ProblemException } from '../http/problem';
import { FailureLimiter, SIGN_IN_POLICY } from './failure-limiter';

const MINUTE = 60_000;

/** Signs in `times` times with a wrong password, as the service does: check, then count the failure. */
function failSignIn(limiter: FailureLimiter, account: string, address: string, times: number, now: number): void {
  for (let i = 0; i < times; i++) {
    const limits = limiter.signInLimits(account, address, now);
    limiter.check(limits, now);
    limiter.fail(limits, now);
  }
}

function refusal(run: () => void): ProblemException | undefined {
  try {
    run();
  } catch (error) {
    return error as ProblemException;
  }
  return undefined;
}

describe('sign-in limits', () => {
  const t0 = Date.parse('2026-03-01T10:00:00Z');
  const account = 'ana@acme.example';

  it('stop an address guessing an account, and not the owner signing in from elsewhere', () => {
    const limiter = new FailureLimiter();
    failSignIn(limiter, account, '203.0.113.9', SIGN_IN_POLICY.perAccountAndAddress.max, t0);
    const blocked = refusal(() => limiter.check(limiter.signInLimits(account, '203.0.113.9', t0), t0));
    expect(blocked).toMatchObject({ status: 429, headers: { 'retry-after': String(15 * 60) } });
    expect(refusal(() => limiter.check(limiter.signInLimits(account, '198.51.100.1', t0), t0))).toBeUndefined();
    // The window slides: 15 minutes after the first failure, that address may try again.
    expect(refusal(() => limiter.check(limiter.signInLimits(account, '203.0.113.9', t0 + 15 * MINUTE), t0 + 15 * MINUTE))).toBeUndefined();
  });

  it('stop one address spraying a password over many accounts', () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < SIGN_IN_POLICY.perAddress.max; i++) failSignIn(limiter, `user${i}@acme.example`, '203.0.113.9', 1, t0);
    expect(refusal(() => limiter.check(limiter.signInLimits('someone.else@acme.example', '203.0.113.9', t0), t0))).toMatchObject({ status: 429 });
  });

  it('slow guessing spread over many addresses, but let the owner in from an address it signed in from before', () => {
    const limiter = new FailureLimiter();
    limiter.signedIn(account, '198.51.100.1', t0 - 10 * 24 * 60 * MINUTE);
    for (let i = 0; i < SIGN_IN_POLICY.perAccount.max; i++) failSignIn(limiter, account, `10.0.${Math.floor(i / 250)}.${i % 250}`, 1, t0 + i);
    const stranger = refusal(() => limiter.check(limiter.signInLimits(account, '192.0.2.200', t0 + 1000), t0 + 1000));
    expect(stranger).toMatchObject({ status: 429 });
    expect(Number(stranger!.headers['retry-after'])).toBeGreaterThan(23 * 3600);
    expect(refusal(() => limiter.check(limiter.signInLimits(account, '198.51.100.1', t0 + 1000), t0 + 1000))).toBeUndefined();
    // An address known more than 30 days ago is a stranger again.
    const later = t0 + 31 * 24 * 60 * MINUTE;
    for (let i = 0; i < SIGN_IN_POLICY.perAccount.max; i++) failSignIn(limiter, account, `10.9.${Math.floor(i / 250)}.${i % 250}`, 1, later);
    expect(refusal(() => limiter.check(limiter.signInLimits(account, '198.51.100.1', later), later))).toMatchObject({ status: 429 });
  });

  it('forget the failures of an address once the account signs in from it', () => {
    const limiter = new FailureLimiter();
    failSignIn(limiter, account, '203.0.113.9', SIGN_IN_POLICY.perAccountAndAddress.max - 1, t0);
    limiter.signedIn(account, '203.0.113.9', t0);
    failSignIn(limiter, account, '203.0.113.9', SIGN_IN_POLICY.perAccountAndAddress.max - 1, t0);
    expect(refusal(() => limiter.check(limiter.signInLimits(account, '203.0.113.9', t0), t0))).toBeUndefined();
  });
});
