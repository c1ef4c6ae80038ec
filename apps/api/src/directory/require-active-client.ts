import { clientCompany, clientCompanyStream, DomainError } from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';

/**
 * The company as its own stream tells it (never a projection): it must exist in the caller's
 * organization (404 otherwise, also for another organization's) and not be archived (409).
 */
export async function requireActiveClient(executor: CommandExecutor, context: CommandContext, clientId: string): Promise<void> {
  const { state } = await executor.load(clientCompanyStream(clientId), clientCompany, context.organizationId);
  if (!state.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
  if (state.archived) throw new DomainError('conflict', 'client-archived', 'This client company is archived.');
}
