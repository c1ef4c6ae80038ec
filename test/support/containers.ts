import { MongoClient } from 'mongodb';

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

/**
 * A MongoDB server (mongo:7, a one-node replica set) for the enclosing suite: started before
 * its tests, stopped after them. `client()` answers the connected client (in tests and hooks).
 */
export function mongoForSuite(): { client: () => MongoClient } {
  // Loaded here, not at the top: suites that skip (no container runtime) never load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MongoDBContainer } = require('@testcontainers/mongodb') as typeof import('@testcontainers/mongodb');
  let container: Awaited<ReturnType<InstanceType<typeof MongoDBContainer>['start']>> | undefined;
  let client: MongoClient | undefined;
  beforeAll(async () => {
    container = await new MongoDBContainer('mongo:7').start();
    client = await new MongoClient(container.getConnectionString(), { directConnection: true }).connect();
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await container?.stop();
  });
  return {
    client: () => {
      if (!client) throw new Error('The MongoDB container has not started');
      return client;
    },
  };
}
