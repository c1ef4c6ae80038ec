import { Decider } from './decider';
import { DomainError } from './errors';

/**
 * A staff API key's life: issued with a role, revoked. The secret and its hash are never
 * part of these events; only the short public prefix that names the key in logs.
 * Stream: `apiKey-<id>`.
 */
export const API_KEY_ROLES = ['admin', 'agent', 'auditor', 'reporter'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export const apiKeyStream = (keyId: string) => `apiKey-${keyId}`;

export type ApiKeyEvent =
  | { type: 'ApiKeyIssued'; data: { keyId: string; name: string; role: ApiKeyRole; prefix: string } }
  | { type: 'ApiKeyRevoked'; data: { keyId: string; prefix: string } };

export type ApiKeyCommand =
  | { type: 'IssueApiKey'; keyId: string; name: string; role: ApiKeyRole; prefix: string }
  | { type: 'RevokeApiKey' };

export interface ApiKeyState {
  status: 'Active' | 'Revoked' | null;
  keyId: string | null;
  prefix: string | null;
  role: ApiKeyRole | null;
}

export const apiKey: Decider<ApiKeyState, ApiKeyCommand, ApiKeyEvent> = {
  initialState: () => ({ status: null, keyId: null, prefix: null, role: null }),

  decide(command, state) {
    switch (command.type) {
      case 'IssueApiKey': {
        if (state.status) throw new DomainError('conflict', 'api-key-exists', 'This API key already exists.');
        if (!(API_KEY_ROLES as readonly string[]).includes(command.role)) {
          throw new DomainError('unprocessable', 'unknown-role', `Unknown role "${command.role}".`);
        }
        const name = command.name.trim();
        if (!name) throw new DomainError('unprocessable', 'name-required', 'An API key needs a name.');
        return [{ type: 'ApiKeyIssued', data: { keyId: command.keyId, name, role: command.role, prefix: command.prefix } }];
      }
      case 'RevokeApiKey': {
        assertApiKeyActive(state);
        return [{ type: 'ApiKeyRevoked', data: { keyId: state.keyId!, prefix: state.prefix! } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ApiKeyIssued':
        return { status: 'Active', keyId: event.data.keyId, prefix: event.data.prefix, role: event.data.role };
      case 'ApiKeyRevoked':
        return { ...state, status: 'Revoked' };
      default:
        return state;
    }
  },
};

/** A key that exists and is not revoked (404, 409 otherwise): checked before the key stops working, then again by RevokeApiKey. */
export function assertApiKeyActive(state: ApiKeyState): void {
  if (!state.status) throw new DomainError('not-found', 'api-key-not-found', 'No such API key.');
  if (state.status === 'Revoked') throw new DomainError('conflict', 'api-key-revoked', 'This API key is already revoked.');
}
