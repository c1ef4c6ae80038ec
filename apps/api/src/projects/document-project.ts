import { DocumentProject, documentProjectOf, project, projectStream } from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';

/**
 * The project a new or changed document names, as the project's stream tells it now (another
 * organization's reads as not existing): what the document's decider checks its `projectId`
 * against. null when it names none.
 */
export async function documentProject(executor: CommandExecutor, organizationId: string, projectId: string | null | undefined): Promise<DocumentProject | null> {
  if (!projectId) return null;
  const { state } = await executor.load(projectStream(projectId), project, organizationId);
  return documentProjectOf(projectId, state);
}
