/**
 * For suites that need a container: `describeWithContainers(name, fn)` runs the suite where a
 * container runtime answers, and otherwise skips it with one clear line on the console.
 */
export function containerRuntimeStatus(): { available: boolean; reason: string } {
  const status = process.env.CONTAINER_RUNTIME ?? 'unavailable: runtime detection did not run';
  return { available: status === 'available', reason: status.replace(/^unavailable: /, '') };
}

export function describeWithContainers(name: string, fn: () => void): void {
  const { available, reason } = containerRuntimeStatus();
  if (available) {
    describe(name, fn);
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED ${name}: no container runtime answers (${reason})`);
  describe.skip(name, fn);
}
