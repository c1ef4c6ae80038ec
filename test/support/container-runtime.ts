/**
 * Jest global setup: finds out once whether a container runtime (Docker, Podman, ...) answers,
 * so the EventStoreDB and MongoDB contract suites can run under testcontainers where one does
 * and skip, saying why, where none does.
 */
import { getContainerRuntimeClient } from 'testcontainers';

export default async function detectContainerRuntime(): Promise<void> {
  if (process.env.CONTAINER_RUNTIME) return;
  try {
    const client = await withTimeout(getContainerRuntimeClient(), 15_000);
    await withTimeout(client.container.list(), 10_000);
    process.env.CONTAINER_RUNTIME = 'available';
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    // CI sets this where Docker runs: a runtime that does not answer fails the run, never skips.
    if (process.env.REQUIRE_CONTAINER_RUNTIME === 'true') throw new Error(`REQUIRE_CONTAINER_RUNTIME is set but no container runtime answers: ${reason}`);
    process.env.CONTAINER_RUNTIME = `unavailable: ${reason}`;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}
