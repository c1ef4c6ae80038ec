import { Logger } from '@nestjs/common';
import { LeasedTask, LeasedWork, ReadStore } from '@app/projections';
import { AppConfig } from '../config';

/**
 * Background work of which one instance runs each (the reactors, the log anchoring): under a
 * lease in the read store, as the projections are, with their lease time
 * (PROJECTION_LEASE_SECONDS). Lease names are the work's own (`reactor:<name>`), beside the
 * projections' in the same table.
 */
export function underLease(readStore: ReadStore, config: AppConfig, name: string, work: LeasedWork): LeasedTask {
  const logger = new Logger('Leases');
  return new LeasedTask(readStore, name, work, {
    ttlMs: config.projectionLeaseSeconds * 1000,
    logger: { log: (message) => logger.log(message), error: (message, error) => logger.error(message, error instanceof Error ? error.stack : String(error)) },
  });
}
