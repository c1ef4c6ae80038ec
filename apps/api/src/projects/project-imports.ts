import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { nameBasedUuid, project, projectStream } from '@app/domain';
import { projectNameKey, PROJECTS_COLLECTION, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { READ_STORE } from '../infrastructure/tokens';
import { EnsureImportedProject, JoinImportedProject } from '../imports/imports.commands';

/** The project a row names, or why the row cannot join it. */
export type ResolvedProject = { projectId: string; name: string } | { error: string };

/**
 * One import's `project` column: each name is resolved once (a project named like it, not
 * archived; none: a new project billed `none`, its id derived from the name so that importing
 * the file again finds it), then each row's company joins the project (the first company as
 * its primary client) and its contact becomes a client user. Contacts are not invited.
 */
export class ProjectImportSession {
  private readonly resolved = new Map<string, Promise<ResolvedProject>>();
  private readonly created = new Map<string, Promise<bigint>>();

  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    private readonly readStore: ReadStore,
    private readonly context: CommandContext,
  ) {}

  /** Read only: which project the name means (the read models are caught up by the import). */
  resolve(name: string): Promise<ResolvedProject> {
    const key = projectNameKey(name);
    let found = this.resolved.get(key);
    if (!found) this.resolved.set(key, (found = this.lookUp(name, key)));
    return found;
  }

  /** Writes the row's membership; answers the last position written (0n: nothing new). */
  async join(resolved: { projectId: string; name: string }, clientId: string, contactId: string): Promise<bigint> {
    const created = await this.ensureProject(resolved);
    const joined = await this.commands.execute(new JoinImportedProject(this.context, resolved.projectId, clientId, contactId));
    return joined > created ? joined : created;
  }

  private async lookUp(name: string, key: string): Promise<ResolvedProject> {
    const { organizationId } = this.context;
    const named = (await this.readStore.find(PROJECTS_COLLECTION, { where: { organizationId, nameKey: key }, limit: 10 })).filter((doc) => doc.archived === false);
    if (named.length > 1) return { error: 'several projects are named like this' };
    const projectId = named[0]?.id ?? nameBasedUuid(`import-project:${organizationId}:${key}`);
    const { state } = await this.executor.load(projectStream(projectId), project, organizationId);
    if (state.archived) return { error: `the project "${state.name}" is archived` };
    return { projectId, name: state.exists ? state.name : name.trim().replace(/\s+/g, ' ') };
  }

  /** Creates a project the file named once per import (nothing when it exists). */
  private ensureProject(resolved: { projectId: string; name: string }): Promise<bigint> {
    let created = this.created.get(resolved.projectId);
    if (!created) this.created.set(resolved.projectId, (created = this.commands.execute(new EnsureImportedProject(this.context, resolved.projectId, resolved.name))));
    return created;
  }
}

@Injectable()
export class ProjectImports {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  session(context: CommandContext): ProjectImportSession {
    return new ProjectImportSession(this.executor, this.commands, this.readStore, context);
  }
}

