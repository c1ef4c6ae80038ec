import { KeyValueStore } from './key-value-store';

export interface PasswordRecord {
  organizationId: string;
  accessId: string;
  passwordHash: string;
  changedAt: string;
}

/** Password hashes, by access (invitation and reset tokens are derived and signed: nothing is stored for them). */
export class CredentialStore {
  constructor(private readonly kv: KeyValueStore) {}

  setPassword(record: PasswordRecord): Promise<void> {
    return this.kv.set('portal-password', record.accessId, record);
  }

  getPassword(accessId: string): Promise<PasswordRecord | null> {
    return this.kv.get<PasswordRecord>('portal-password', accessId);
  }
}
