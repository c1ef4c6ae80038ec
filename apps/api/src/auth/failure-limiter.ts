import { Injectable } from '@nestjs/common';
import { ProblemException } from '../http/problem';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** At most `max` failures within `windowMs` for `key`. */
export interface Limit {
  key: string;
  max: number;
  windowMs: number;
}

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

/** Addresses remembered per account (the most recent). */
const KNOWN_ADDRESSES_PER_ACCOUNT = 10;

/**
 * Counts failures (sign-in, invitation acceptance, password reset) and refuses further
 * attempts with 429 and a Retry-After (when the oldest failure that counts leaves its window)
 * once a limit is reached. Kept in this process's memory: behind several API instances, route
 * a given client to one instance or put a shared limiter in front.
 */
@Injectable()
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  /** account -> address -> last successful sign-in. */
  private readonly knownAddresses = new Map<string, Map<string, number>>();

  /** The sign-in limits of an account (normalized email) from a client address. */
  signInLimits(account: string, address: string, now = Date.now()): Limit[] {
    const limits: Limit[] = [
      { key: `sign-in:account+address:${account}:${address}`, ...SIGN_IN_POLICY.perAccountAndAddress },
      { key: `sign-in:address:${address}`, ...SIGN_IN_POLICY.perAddress },
    ];
    const lastSignedIn = this.knownAddresses.get(account)?.get(address);
    if (lastSignedIn === undefined || lastSignedIn <= now - SIGN_IN_POLICY.knownAddressForMs) {
      limits.push({ key: `sign-in:account:${account}`, ...SIGN_IN_POLICY.perAccount });
    }
    return limits;
  }

  /** A successful sign-in: the address is known for the account, its failures there are forgotten. */
  signedIn(account: string, address: string, now = Date.now()): void {
    this.failures.delete(`sign-in:account+address:${account}:${address}`);
    let addresses = this.knownAddresses.get(account);
    if (!addresses) this.knownAddresses.set(account, (addresses = new Map()));
    addresses.delete(address);
    addresses.set(address, now);
    if (addresses.size > KNOWN_ADDRESSES_PER_ACCOUNT) addresses.delete(addresses.keys().next().value!);
    if (this.knownAddresses.size > 100_000) this.knownAddresses.delete(this.knownAddresses.keys().next().value!);
  }

  /** Throws 429 if any of the limits is reached (a plain key: 10 failures in 15 minutes). */
  check(limits: (string | Limit)[], now = Date.now()): void {
    let retryAfterMs = 0;
    for (const limit of limits.map(asLimit)) {
      const recent = this.recent(limit, now);
      if (recent.length >= limit.max) retryAfterMs = Math.max(retryAfterMs, recent[recent.length - limit.max] + limit.windowMs - now);
    }
    if (retryAfterMs > 0) {
      const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      throw new ProblemException(429, 'too-many-attempts', 'Too many requests', `Too many failed attempts; retry in ${seconds} seconds.`, { retryAfterSeconds: seconds }, {
        'retry-after': String(seconds),
      });
    }
  }

  fail(limits: (string | Limit)[], now = Date.now()): void {
    for (const limit of limits.map(asLimit)) {
      const recent = this.recent(limit, now);
      recent.push(now);
      this.failures.set(limit.key, recent);
    }
    if (this.failures.size > 100_000) this.sweep(now);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(limit: Limit, now: number): number[] {
    return (this.failures.get(limit.key) ?? []).filter((at) => at > now - limit.windowMs);
  }

  /** Forgets keys without a failure in the last day (the longest window). */
  private sweep(now: number): void {
    for (const [key, times] of this.failures) if (!times.some((at) => at > now - DAY)) this.failures.delete(key);
  }
}

function asLimit(limit: string | Limit): Limit {
  return typeof limit === 'string' ? { key: limit, ...DEFAULT_LIMIT } : limit;
}
