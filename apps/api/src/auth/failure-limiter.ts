import { Inject, Injectable } from '@nestjs/common';
import { MemoryRateLimitStore, RateLimit, RateLimitStore } from '@app/credentials';
import { ProblemException } from '../http/problem';
import { RATE_LIMIT_STORE } from '../infrastructure/tokens';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** At most `max` failures within `windowMs` for `key`. */
export type Limit = RateLimit;

/** Invitation acceptance and password reset: 10 failures in 15 minutes per account or per client address. */
const DEFAULT_LIMIT = { max: 10, windowMs: 15 * MINUTE };

/**
 * Sign-in. A brake on guessing that a stranger cannot turn into a lock-out of the rightful
 * owner:
 * - per account and client address, 10 failures in 15 minutes: one address guessing one
 *   account is stopped, without touching the owner signing in from anywhere else;
 * - per client address, 50 failures in 15 minutes, whatever the accounts: one address trying
 *   a password on many accounts is stopped;
 * - per account, 100 failures in 24 hours from all addresses together: guessing spread over
 *   many addresses stays slow; this one does not apply to an address the account signed in
 *   from successfully in the last 30 days, so the owner keeps signing in from its usual places.
 */
export const SIGN_IN_POLICY = {
  perAccountAndAddress: { max: 10, windowMs: 15 * MINUTE },
  perAddress: { max: 50, windowMs: 15 * MINUTE },
  perAccount: { max: 100, windowMs: DAY },
  knownAddressForMs: 30 * DAY,
} as const;

/**
 * Counts failures (sign-in, invitation acceptance, password reset) and refuses further
 * attempts with 429 and a Retry-After (when the oldest failure that counts leaves its window)
 * once a limit is reached. The counts are held in the rate-limit store: this process's memory
 * on the embedded default, MongoDB where `MONGO_URL` is set, so that every API instance sees
 * the same counts.
 */
@Injectable()
export class FailureLimiter {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore = new MemoryRateLimitStore()) {}

  /** The sign-in limits of an account (normalized email) from a client address. */
  async signInLimits(account: string, address: string, now = Date.now()): Promise<Limit[]> {
    const limits: Limit[] = [
      { key: `sign-in:account+address:${account}:${address}`, ...SIGN_IN_POLICY.perAccountAndAddress },
      { key: `sign-in:address:${address}`, ...SIGN_IN_POLICY.perAddress },
    ];
    const known = await this.store.peek(knownAddress(account, address), now);
    if (known.count === 0) limits.push({ key: `sign-in:account:${account}`, ...SIGN_IN_POLICY.perAccount });
    return limits;
  }

  /** A successful sign-in: the address is known for the account (for 30 days from now), its failures there are forgotten. */
  async signedIn(account: string, address: string, now = Date.now()): Promise<void> {
    const known = knownAddress(account, address);
    await Promise.all([this.store.clear(`sign-in:account+address:${account}:${address}`), this.store.clear(known.key)]);
    await this.store.hit(known, now);
  }

  /** Throws 429 if any of the limits is reached (a plain key: 10 failures in 15 minutes). */
  async check(limits: (string | Limit)[], now = Date.now()): Promise<void> {
    const windows = await Promise.all(limits.map((limit) => this.store.peek(asLimit(limit), now)));
    refuseIfFull(Math.max(0, ...windows.map((window) => window.retryAfterMs)));
  }

  /** Counts a failure against each of the limits. */
  async fail(limits: (string | Limit)[], now = Date.now()): Promise<void> {
    await Promise.all(limits.map((limit) => this.store.hit(asLimit(limit), now)));
  }

  /**
   * Every request counts, whatever its outcome (registrations, reset requests): throws 429 if
   * any of the limits is reached, else counts this one against each. A place taken meanwhile
   * by another request (on any instance) refuses this one too.
   */
  async count(limits: (string | Limit)[], now = Date.now()): Promise<void> {
    await this.check(limits, now);
    const hits = await Promise.all(limits.map((limit) => this.store.hit(asLimit(limit), now)));
    refuseIfFull(Math.max(0, ...hits.filter((hit) => !hit.counted).map((hit) => hit.retryAfterMs)));
  }
}

/** An account's successful sign-ins from an address: the last one, kept for 30 days. */
function knownAddress(account: string, address: string): Limit {
  return { key: `sign-in:known-address:${account}:${address}`, max: 1, windowMs: SIGN_IN_POLICY.knownAddressForMs };
}

function refuseIfFull(retryAfterMs: number): void {
  if (retryAfterMs <= 0) return;
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  throw new ProblemException(429, 'too-many-attempts', 'Too many requests', `Too many failed attempts; retry in ${seconds} seconds.`, { retryAfterSeconds: seconds }, {
    'retry-after': String(seconds),
  });
}

function asLimit(limit: string | Limit): Limit {
  return typeof limit === 'string' ? { key: limit, ...DEFAULT_LIMIT } : limit;
}
