import { randomUUID } from 'node:crypto';
import { newSigningKeys, parseSigningKeys, TokenSigner } from './token-signer';

describe('TokenSigner', () => {
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  const signer = new TokenSigner(parseSigningKeys(newSigningKeys('k1')));

  it('derives a URL-safe token from ids and reads them back', () => {
    const token = signer.sign('invitation', ids);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(120);
    expect(signer.verify('invitation', token, 3)).toEqual(ids);
    expect(signer.sign('invitation', ids)).toBe(token); // derived: the same ids, the same token
  });

  it('refuses a token with any byte changed, cut short, lengthened, or of another purpose', () => {
    const token = signer.sign('invitation', ids);
    const bytes = Buffer.from(token, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] ^= 0x01;
      expect(signer.verify('invitation', tampered.toString('base64url'), 3)).toBeNull();
    }
    expect(signer.verify('invitation', token.slice(0, -2), 3)).toBeNull();
    expect(signer.verify('invitation', `${token}AA`, 3)).toBeNull();
    expect(signer.verify('invitation', `${token}A`, 3)).toBeNull(); // decodes to the same bytes: not the canonical spelling
    expect(signer.verify('password-reset', token, 3)).toBeNull();
    expect(signer.verify('invitation', signer.sign('password-reset', ids), 3)).toBeNull();
    for (const junk of ['', 'not a token!', 'x'.repeat(500), Buffer.alloc(80).toString('base64url')]) expect(signer.verify('invitation', junk, 3)).toBeNull();
  });

  it('refuses a token signed with a key it does not hold, and keeps verifying a retired key after a rotation', () => {
    const other = new TokenSigner(parseSigningKeys(newSigningKeys('k1')));
    const foreign = other.sign('invitation', ids);
    expect(signer.verify('invitation', foreign, 3)).toBeNull();

    const old = parseSigningKeys(newSigningKeys('k1'))[0];
    const before = new TokenSigner([old]).sign('password-reset', ids);
    const rotated = new TokenSigner([parseSigningKeys(newSigningKeys('k2'))[0], old]);
    expect(rotated.verify('password-reset', before, 3)).toEqual(ids);
    expect(Buffer.from(rotated.sign('password-reset', ids), 'base64url').subarray(2, 4).toString('latin1')).toBe('k2');
    expect(new TokenSigner(parseSigningKeys(newSigningKeys('k2'))).verify('password-reset', before, 3)).toBeNull();
  });

  it('refuses weak or malformed keys', () => {
    expect(() => new TokenSigner([])).toThrow();
    expect(() => new TokenSigner([{ id: 'k1', secret: Buffer.alloc(8) }])).toThrow(/32 bytes/);
    expect(() => new TokenSigner([{ id: 'bad id!', secret: Buffer.alloc(32) }])).toThrow(/key id/);
    expect(() => parseSigningKeys('no-colon')).toThrow();
  });
});
