/**
 * Wakes subscriptions when an append commits in this process. A version counter rather than
 * a bare event: a subscription notes the version before it reads a page, so an append that
 * commits while it hands that page out is not missed.
 */
export class AppendNotifier {
  private version = 0;
  private readonly waiters = new Set<() => void>();

  get current(): number {
    return this.version;
  }

  notify(): void {
    this.version += 1;
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Resolves once notify() was called after version `seen` (at once if it already was), when
   * the signal aborts, or after timeoutMs (a poll, for writers in other processes).
   */
  wait(seen: number, signal?: AbortSignal, timeoutMs?: number): Promise<void> {
    if (this.version !== seen || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
