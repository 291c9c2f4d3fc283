import { randomBytes } from 'node:crypto';
import { SecretBox } from '../security/secret-box';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox (AES-256-GCM at rest)', () => {
  const k1 = key('k1');
  const box = new SecretBox([k1]);

  it('round-trips, with a fresh IV every time and no trace of the plaintext', () => {
    const a = box.seal('hunter2-secret', 'org-a');
    const b = box.seal('hunter2-secret', 'org-a');
    expect(a).not.toBe(b);
    expect(a.startsWith('v1.k1.')).toBe(true);
    expect(a).not.toContain('hunter2');
    expect(a).not.toContain(Buffer.from('hunter2-secret').toString('base64url'));
    expect(box.open(a, 'org-a')).toBe('hunter2-secret');
  });

  it("refuses a ciphertext moved to another org's row", () => {
    expect(() => box.open(box.seal('s', 'org-a'), 'org-b')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.seal('some secret', 'org-a').split('.');
    const body = Buffer.from(sealed[4]!, 'base64url');
    body[0]! ^= 1;
    sealed[4] = body.toString('base64url');
    expect(() => box.open(sealed.join('.'), 'org-a')).toThrow();
  });

  it('reads old rows after a key rotation and seals with the new key', () => {
    const old = box.seal('before rotation', 'org-a');
    const rotated = new SecretBox([key('k2'), k1]);
    expect(rotated.open(old, 'org-a')).toBe('before rotation');
    expect(rotated.seal('after', 'org-a').startsWith('v1.k2.')).toBe(true);
    expect(() => new SecretBox([key('k3')]).open(old, 'org-a')).toThrow(/key id "k1"/);
  });
});
