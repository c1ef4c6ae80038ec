import { Injectable } from '@nestjs/common';
import { ProblemException } from '../http/problem';

const WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES = 10;

/**
 * Brute-force brake for sign-in, invitation acceptance and password reset: after 10
 * failures within 15 minutes for an account or for a client address, further attempts are
 * refused with 429 and Retry-After until the oldest failure leaves the window.
 * Kept in this process's memory: behind several API instances, route a given client to one
 * instance or put a shared limiter in front.
 */
@Injectable()
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  /** Throws 429 if any of the keys is over the limit. */
  check(keys: string[], now = Date.now()): void {
    let retryAfterMs = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= MAX_FAILURES) retryAfterMs = Math.max(retryAfterMs, recent[recent.length - MAX_FAILURES] + WINDOW_MS - now);
    }
    if (retryAfterMs > 0) {
      const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      throw new ProblemException(429, 'too-many-attempts', 'Too many requests', `Too many failed attempts; retry in ${seconds} seconds.`, {}, {
        'retry-after': String(seconds),
      });
    }
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.set(key, recent);
    }
    if (this.failures.size > 100_000) this.sweep(now);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > now - WINDOW_MS);
  }

  private sweep(now: number): void {
    for (const [key, times] of this.failures) if (!times.some((at) => at > now - WINDOW_MS)) this.failures.delete(key);
  }
}
