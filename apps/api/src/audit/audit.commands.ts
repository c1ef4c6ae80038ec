import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { auditExport, auditExportStream, AuditExportFilter, contact, contactStream, portalAccess, portalAccessStream } from '@app/domain';
import { PersonalDataVault } from '@app/event-store';
import { PORTAL_ACCESS_COLLECTION, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { READ_STORE } from '../infrastructure/tokens';
import { RevokePortalAccess } from '../portal-access/portal-access.commands';

/** Records who exported what (an AuditExported event), before the export is sent. */
export class RecordAuditExport extends Command<{ exportId: string; position: bigint }> {
  constructor(
    readonly context: CommandContext,
    readonly filter: AuditExportFilter,
  ) {
    super();
  }
}

@CommandHandler(RecordAuditExport)
export class RecordAuditExportHandler implements ICommandHandler<RecordAuditExport> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, filter }: RecordAuditExport): Promise<{ exportId: string; position: bigint }> {
    const exportId = randomUUID();
    const { position } = await this.executor.execute({
      streamName: auditExportStream(exportId),
      decider: auditExport,
      command: { type: 'RecordAuditExport', exportId, ...filter },
      context: { ...context, idempotencyKey: undefined },
    });
    return { exportId, position };
  }
}

export interface Erased {
  contactId: string;
  /** Portal accesses revoked with the erasure. */
  revokedAccesses: number;
  position: number;
}

/**
 * A contact asked to be forgotten (crypto-shredding): its portal accesses are revoked, a
 * ContactErased event is recorded, then its key is destroyed. The history stays whole and
 * verifiable; its personal data reads `[erased]` everywhere from then on. Erasing again
 * answers the same (and destroys the key again).
 */
export class EraseContact extends Command<Erased> {
  constructor(
    readonly context: CommandContext,
    readonly contactId: string,
  ) {
    super();
  }
}

@CommandHandler(EraseContact)
export class EraseContactHandler implements ICommandHandler<EraseContact> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    private readonly vault: PersonalDataVault,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ context, contactId }: EraseContact): Promise<Erased> {
    const loaded = await this.executor.load(contactStream(contactId), contact, context.organizationId);
    let revokedAccesses = 0;
    let position = loaded.position;
    const accessIds: string[] = [];
    if (!loaded.state.erased) {
      const accesses = await this.readStore.find(PORTAL_ACCESS_COLLECTION, { where: { organizationId: context.organizationId, contactId }, limit: 1_000 });
      for (const access of accesses) {
        accessIds.push(access.id);
        const state = (await this.executor.load(portalAccessStream(access.id), portalAccess, context.organizationId)).state;
        if (state.status && state.status !== 'Revoked') {
          const revoked = await this.commands.execute(new RevokePortalAccess(context, contactId, 'erased at the person’s request', false, access.portalId));
          revokedAccesses += 1;
          position = BigInt(Math.max(Number(position), revoked.position));
        }
      }
    }
    const erased = await this.executor.execute({ streamName: contactStream(contactId), decider: contact, command: { type: 'EraseContact', accessIds }, context });
    // Destroyed after the event is durable: a retry (the decider answers nothing new) destroys it again.
    await this.vault.erase(contactId);
    if (erased.events.length) position = erased.position;
    return { contactId, revokedAccesses, position: Number(position) };
  }
}

export const AUDIT_COMMAND_HANDLERS = [RecordAuditExportHandler, EraseContactHandler];
