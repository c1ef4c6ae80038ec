import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { apiKey, ApiKeyRole, apiKeyStream, assertApiKeyActive, DomainError, nameBasedUuid } from '@app/domain';
import { hashToken, newToken } from '@app/credentials';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { ApiKeys, IssuedKey, OPERATOR_ORGANIZATION_ID, prefixOf } from './api-keys';

/**
 * Issuing and revoking staff API keys: an event each (ApiKeyIssued, ApiKeyRevoked) naming the
 * key by its public prefix; the secret's hash is kept apart (ApiKeys), never in an event.
 */

/** A new key (`cpk_` + 256 random bits) with a role in the caller's organization; the key is in this answer only. */
export class IssueApiKey extends Command<IssuedKey> {
  constructor(
    readonly context: CommandContext,
    readonly name: string,
    readonly role: ApiKeyRole,
  ) {
    super();
  }
}

@CommandHandler(IssueApiKey)
export class IssueApiKeyHandler implements ICommandHandler<IssueApiKey> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly apiKeys: ApiKeys,
  ) {}

  execute({ context, name, role }: IssueApiKey): Promise<IssuedKey> {
    return issue(this.executor, this.apiKeys, context, randomUUID(), name, role, `cpk_${newToken()}`);
  }
}

/** The key stops working first (here at once, elsewhere with the event); the event then records that it did. */
export class RevokeApiKey extends Command<void> {
  constructor(
    readonly context: CommandContext,
    readonly keyId: string,
  ) {
    super();
  }
}

@CommandHandler(RevokeApiKey)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKey> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly apiKeys: ApiKeys,
  ) {}

  async execute({ context, keyId }: RevokeApiKey): Promise<void> {
    if (keyId === (await this.apiKeys.bootstrapKey())?.keyId) {
      throw new DomainError('conflict', 'bootstrap-key', 'The bootstrap key is managed by the API_KEY setting: rotate it there.');
    }
    const current = await this.executor.load(apiKeyStream(keyId), apiKey, context.organizationId);
    assertApiKeyActive(current.state);
    await this.apiKeys.disable(keyId);
    await this.executor.execute({ streamName: apiKeyStream(keyId), decider: apiKey, command: { type: 'RevokeApiKey' }, context });
    await this.apiKeys.drop(keyId);
  }
}

/**
 * At start: the bootstrap admin key (API_KEY, or one generated into DATA_DIR/admin-api-key)
 * is registered as the operator organization's admin key. A changed API_KEY replaces the
 * previous one, which stops working.
 */
export class RegisterBootstrapKey extends Command<void> {}

@CommandHandler(RegisterBootstrapKey)
export class RegisterBootstrapKeyHandler implements ICommandHandler<RegisterBootstrapKey> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly apiKeys: ApiKeys,
  ) {}

  async execute(): Promise<void> {
    const key = await this.apiKeys.bootstrapSecret();
    const hash = hashToken(key);
    const keyId = nameBasedUuid(`bootstrap-key:${hash}`);
    const previous = await this.apiKeys.bootstrapKey();
    if (previous?.keyId === keyId && (await this.apiKeys.isKept(hash))) return;
    const system: CommandContext = {
      organizationId: OPERATOR_ORGANIZATION_ID,
      actor: { kind: 'system', id: 'bootstrap' },
      channel: 'system',
      correlationId: randomUUID(),
    };
    if (previous && previous.keyId !== keyId) {
      await this.apiKeys.disable(previous.keyId, previous.hash);
      const old = await this.executor.load(apiKeyStream(previous.keyId), apiKey, OPERATOR_ORGANIZATION_ID);
      if (old.state.status === 'Active') {
        await this.executor.execute({ streamName: apiKeyStream(previous.keyId), decider: apiKey, command: { type: 'RevokeApiKey' }, context: system });
      }
    }
    const existing = await this.executor.load(apiKeyStream(keyId), apiKey, OPERATOR_ORGANIZATION_ID);
    if (existing.state.status === 'Active') await this.apiKeys.keep(keyId, OPERATOR_ORGANIZATION_ID, 'admin', prefixOf(key), hash);
    else await issue(this.executor, this.apiKeys, system, keyId, 'Bootstrap admin key (API_KEY)', 'admin', key);
    await this.apiKeys.rememberBootstrapKey({ keyId, hash });
  }
}

/** ApiKeyIssued, then the key's hash kept where authentication looks it up. */
async function issue(executor: CommandExecutor, apiKeys: ApiKeys, context: CommandContext, keyId: string, name: string, role: ApiKeyRole, key: string): Promise<IssuedKey> {
  const prefix = prefixOf(key);
  const { position } = await executor.execute({
    streamName: apiKeyStream(keyId),
    decider: apiKey,
    command: { type: 'IssueApiKey', keyId, name, role, prefix },
    context,
  });
  await apiKeys.keep(keyId, context.organizationId, role, prefix, hashToken(key));
  return { id: keyId, key, role, prefix, position: Number(position) };
}

export const API_KEY_COMMAND_HANDLERS = [IssueApiKeyHandler, RevokeApiKeyHandler, RegisterBootstrapKeyHandler];
