import { Logger } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  assertRegistrationPending,
  assertValidRegistrationRequest,
  DomainError,
  nameBasedUuid,
  normalizeRegistrationEmail,
  registration,
  RegistrationCommand,
  registrationId as registrationIdOf,
  registrationStream,
} from '@app/domain';
import { FailureLimiter } from '../auth/failure-limiter';
import { CommandExecutor } from '../commands/command-executor';
import { AddContact, RegisterClientCompany } from '../directory/directory.commands';
import { Written } from '../commands/written';
import { CommandContext } from '../http/request-context';
import { InviteContact } from '../portal-access/portal-access.commands';
import { Portals } from '../portal-configuration/portals.service';
import { requireActiveClient } from '../directory/require-active-client';

export interface RegistrationInput {
  portalSlug: string;
  email: string;
  name: string;
  companyName: string;
}

export interface ApprovedRegistration {
  id: string;
  status: 'Approved';
  clientId: string;
  contactId: string;
  position: number;
}

export interface RejectedRegistration {
  id: string;
  status: 'Rejected';
  position: number;
}

/** Requests after a decided one follow a chain of ids; this bounds the walk along it. */
const MAX_REQUESTS_PER_EMAIL = 1000;

/**
 * Records the request where the portal allows self-registration, and nothing otherwise; the
 * caller answers 202 either way, so the answer tells nobody whether the portal, the
 * self-registration or the email exist. Every request counts against its client address
 * (10 per 15 minutes), so the route cannot be used to flood staff with requests.
 */
export class RequestRegistration extends Command<void> {
  constructor(readonly correlationId: string, readonly clientAddress: string, readonly input: RegistrationInput) {
    super();
  }
}

@CommandHandler(RequestRegistration)
export class RequestRegistrationHandler implements ICommandHandler<RequestRegistration> {
  private readonly logger = new Logger('Registrations');

  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly limiter: FailureLimiter,
  ) {}

  async execute({ correlationId, clientAddress, input }: RequestRegistration): Promise<void> {
    const byAddress = `registration:address:${clientAddress}`;
    await this.limiter.count([byAddress]); // every request counts, whatever its outcome
    // Bad input is refused the same for every portal, before the portal is looked up.
    assertValidRegistrationRequest(input);
    const email = normalizeRegistrationEmail(input.email);
    const command = (registrationId: string, portalId: string) => ({
      type: 'RequestRegistration' as const,
      registrationId,
      portalId,
      email,
      name: input.name,
      companyName: input.companyName,
      requestedAt: new Date().toISOString(),
    });

    const portal = await this.portals.bySlug(input.portalSlug.trim().toLowerCase());
    if (!portal || !portal.selfRegistration) return;
    const context: CommandContext = {
      organizationId: portal.organizationId,
      actor: { kind: 'system', id: 'self-registration' },
      channel: 'portal',
      correlationId,
    };
    let previous: string | null = null;
    for (let i = 0; i < MAX_REQUESTS_PER_EMAIL; i++) {
      const id = registrationIdOf(portal.id, email, previous);
      try {
        // Pending already: the decider answers no events, and nothing is written.
        await this.executor.execute({ streamName: registrationStream(id), decider: registration, command: command(id, portal.id), context });
        return;
      } catch (error) {
        if (error instanceof DomainError && error.code === 'registration-decided') {
          previous = id;
          continue;
        }
        if (error instanceof DomainError) {
          // Never told to the caller (it would tell that the portal takes registrations).
          this.logger.warn(`Registration request on portal ${portal.id} not recorded: ${error.code}`);
          return;
        }
        throw error;
      }
    }
    this.logger.warn(`Registration request on portal ${portal.id} not recorded: too many requests for one email`);
  }
}

/**
 * Approval: a client company (made from the request, or an existing one staff chose), the
 * person as its contact, and an invitation into the registration's portal, each through the
 * existing commands; then `RegistrationApproved`. Each step is recorded on the registration's
 * stream as it completes, so approving again after a crash finishes the steps still missing
 * and never repeats a recorded one.
 */
export class ApproveRegistration extends Command<ApprovedRegistration> {
  constructor(readonly context: CommandContext, readonly registrationId: string, readonly input: { clientId?: string; userTypeId?: string }) {
    super();
  }
}

@CommandHandler(ApproveRegistration)
export class ApproveRegistrationHandler implements ICommandHandler<ApproveRegistration> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly commands: CommandBus,
  ) {}

  async execute({ context, registrationId, input }: ApproveRegistration): Promise<ApprovedRegistration> {
    const streamName = registrationStream(registrationId);
    const { state } = await this.executor.load(streamName, registration, context.organizationId);
    // Unknown (or another organization's), or decided: refused before anything is written.
    assertRegistrationPending(state);
    const portal = await this.portals.resolve(context.organizationId, state.portalId!);
    if (input.userTypeId) this.portals.userType(portal, input.userTypeId);
    if (!state.clientId && input.clientId) await requireActiveClient(this.executor, context, input.clientId);

    let position = 0n;
    const wrote = (p: bigint | number) => {
      if (BigInt(p) > position) position = BigInt(p);
    };
    const record = async (command: RegistrationCommand) =>
      wrote((await this.executor.execute({ streamName, decider: registration, command, context })).position);

    let clientId = state.clientId;
    if (!clientId) {
      if (input.clientId) {
        clientId = input.clientId;
      } else {
        // Name-based: an approval that stopped after this step finds its company again.
        clientId = nameBasedUuid(`registration-client:${registrationId}`);
        wrote(await this.again(() => this.commands.execute(new RegisterClientCompany(context, { name: state.companyName! }, clientId!)), 'client-already-registered'));
      }
      await record({ type: 'AssignRegistrationClient', clientId, created: !input.clientId });
    }

    let contactId = state.contactId;
    if (!contactId) {
      contactId = nameBasedUuid(`registration-contact:${registrationId}`);
      const person = new AddContact(context, clientId, { name: state.name!, email: state.email! }, contactId);
      wrote(await this.again(() => this.commands.execute(person), 'contact-already-exists'));
      await record({ type: 'AssignRegistrationContact', contactId });
    }

    try {
      const invited = await this.commands.execute(
        new InviteContact(context, contactId, { portalId: portal.id, ...(input.userTypeId ? { userTypeId: input.userTypeId } : {}) }),
      );
      wrote(invited.position);
    } catch (error) {
      // Invited by an approval that stopped before its last step: that invitation stands.
      if (!(error instanceof DomainError && error.code === 'already-invited')) throw error;
    }

    await record({ type: 'ApproveRegistration', userTypeId: input.userTypeId ?? null, decidedAt: new Date().toISOString() });
    return { id: registrationId, status: 'Approved', clientId, contactId, position: Number(position) };
  }

  /** A step's position; 0 when an earlier, interrupted approval already took it. */
  private async again(step: () => Promise<Written>, doneCode: string): Promise<number> {
    try {
      return (await step()).position;
    } catch (error) {
      if (error instanceof DomainError && error.code === doneCode) return 0;
      throw error;
    }
  }
}

export class RejectRegistration extends Command<RejectedRegistration> {
  constructor(readonly context: CommandContext, readonly registrationId: string, readonly reason?: string) {
    super();
  }
}

@CommandHandler(RejectRegistration)
export class RejectRegistrationHandler implements ICommandHandler<RejectRegistration> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, registrationId, reason }: RejectRegistration): Promise<RejectedRegistration> {
    const streamName = registrationStream(registrationId);
    const { state } = await this.executor.load(streamName, registration, context.organizationId);
    const command = { type: 'RejectRegistration' as const, reason: reason ?? null, decidedAt: new Date().toISOString() };
    assertRegistrationPending(state); // unknown or another organization's: 404, before writing
    const { position } = await this.executor.execute({ streamName, decider: registration, command, context });
    return { id: registrationId, status: 'Rejected', position: Number(position) };
  }
}

export const REGISTRATION_COMMAND_HANDLERS = [RequestRegistrationHandler, ApproveRegistrationHandler, RejectRegistrationHandler];
