import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a token is for: the MAC covers it, so one kind of token never passes for another. */
export type TokenPurpose = 'invitation' | 'password-reset';
const PURPOSES: Record<TokenPurpose, number> = { invitation: 1, 'password-reset': 2 };

/** A signing key: an id (in every token it signs, so that keys can rotate) and its secret. */
export interface SigningKey {
  id: string;
  secret: Buffer;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAC_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;

/**
 * Tokens derived from what an event already records, instead of stored secrets: the token
 * names its ids (an invitation's organization, access and invitation; a reset request's) and
 * carries an HMAC-SHA256 of them under a server key. Nothing is written when one is issued;
 * checking one recomputes the MAC, and the stream's state then decides whether it is still
 * the current one, unexpired and unused. Events keep only the ids, which are useless without
 * the key.
 *
 * Layout (base64url, URL-safe without escaping): purpose byte, key id length, key id, the
 * ids as 16 bytes each, then the 32-byte MAC over everything before it.
 */
export class TokenSigner {
  private readonly byId: Map<string, Buffer>;

  /** `keys[0]` signs; every key verifies (a retired key keeps its tokens valid until removed). */
  constructor(private readonly keys: SigningKey[]) {
    if (keys.length === 0) throw new Error('At least one token signing key is required');
    for (const key of keys) {
      if (!KEY_ID.test(key.id)) throw new Error(`A token key id is 1 to 16 of A-Z a-z 0-9 _ -: "${key.id}"`);
      if (key.secret.length < 32) throw new Error(`Token key ${key.id} is shorter than 32 bytes`);
    }
    this.byId = new Map(keys.map((key) => [key.id, key.secret]));
  }

  sign(purpose: TokenPurpose, ids: string[]): string {
    const key = this.keys[0];
    const body = Buffer.concat([Buffer.from([PURPOSES[purpose], key.id.length]), Buffer.from(key.id, 'latin1'), ...ids.map(uuidBytes)]);
    return Buffer.concat([body, mac(key.secret, body)]).toString('base64url');
  }

  /** The ids the token names, when it is a well-formed token of this purpose signed by a known key; else null. */
  verify(purpose: TokenPurpose, token: string, idCount: number): string[] | null {
    if (typeof token !== 'string' || token.length > 400 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
    const bytes = Buffer.from(token, 'base64url');
    // Only the canonical spelling: trailing characters that decode to nothing are not ignored.
    if (bytes.toString('base64url') !== token) return null;
    if (bytes.length < 2 || bytes[0] !== PURPOSES[purpose]) return null;
    const keyIdLength = bytes[1];
    const bodyLength = 2 + keyIdLength + 16 * idCount;
    if (bytes.length !== bodyLength + MAC_BYTES) return null;
    const secret = this.byId.get(bytes.subarray(2, 2 + keyIdLength).toString('latin1'));
    if (!secret) return null;
    const body = bytes.subarray(0, bodyLength);
    if (!timingSafeEqual(mac(secret, body), bytes.subarray(bodyLength))) return null;
    const ids: string[] = [];
    for (let i = 0; i < idCount; i++) ids.push(uuidString(body.subarray(2 + keyIdLength + 16 * i, 2 + keyIdLength + 16 * (i + 1))));
    return ids;
  }
}

/** Parses `TOKEN_KEYS` (`id:secret,id2:secret2`, secrets base64url of at least 32 bytes; the first signs). */
export function parseSigningKeys(text: string): SigningKey[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon < 1) throw new Error('TOKEN_KEYS is a comma-separated list of id:secret');
      return { id: entry.slice(0, colon), secret: Buffer.from(entry.slice(colon + 1), 'base64url') };
    });
}

/** A fresh key ring of one key, in the form parseSigningKeys reads. */
export function newSigningKeys(id = 'k1'): string {
  return `${id}:${randomBytes(32).toString('base64url')}`;
}

function mac(secret: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

function uuidBytes(id: string): Buffer {
  const lower = id.toLowerCase();
  if (!UUID.test(lower)) throw new Error(`Only UUIDs go into tokens, got ${id}`);
  return Buffer.from(lower.replace(/-/g, ''), 'hex');
}

function uuidString(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
