import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * AES-256-GCM for secrets at rest. The sealed form is `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url), so old rows
 * stay readable after a key rotation. `context` (e.g. the org id) is bound as associated data: a ciphertext copied to
 * another org's row does not decrypt.
 */
export class SecretBox {
  private readonly active: EncryptionKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    this.active = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
    return ['v1', this.active.id, ...parts].join('.');
  }

  open(sealed: string, context: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
    const key = keyId === undefined ? undefined : this.byId.get(keyId);
    if (version !== 'v1' || !key || !iv || !tag || ciphertext === undefined) {
      throw new Error(`Cannot decrypt: unknown format or key id "${keyId ?? ''}"`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
