import { KeyValueStore } from './key-value-store';

export interface InvitationTokenRecord {
  organizationId: string;
  accessId: string;
  invitationId: string;
  expiresAt: string;
}

export interface PasswordRecord {
  organizationId: string;
  accessId: string;
  passwordHash: string;
  changedAt: string;
}

/** Hashed credentials, keyed so that they can be found without ever storing the secret. */
export class CredentialStore {
  constructor(private readonly kv: KeyValueStore) {}

  saveInvitationToken(tokenHash: string, record: InvitationTokenRecord): Promise<void> {
    return this.kv.set('invitation-token', tokenHash, record);
  }

  findInvitationToken(tokenHash: string): Promise<InvitationTokenRecord | null> {
    return this.kv.get<InvitationTokenRecord>('invitation-token', tokenHash);
  }

  setPassword(record: PasswordRecord): Promise<void> {
    return this.kv.set('portal-password', record.accessId, record);
  }

  getPassword(accessId: string): Promise<PasswordRecord | null> {
    return this.kv.get<PasswordRecord>('portal-password', accessId);
  }
}
