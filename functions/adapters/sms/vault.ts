/**
 * Phone numbers at rest: AES-256-GCM under the deployment's data key (from the SMS secret), with the
 * subscriber id as additional authenticated data, so a ciphertext moved to another subscriber does
 * not decrypt. Format `v1.<base64(iv ‖ tag ‖ ciphertext)>`; a fresh 96-bit IV per encryption.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PhoneSeal } from '../../core/sms/ports.ts';

export class PhoneVault implements PhoneSeal {
  private readonly key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the SMS data key must be 32 bytes (base64 of 32 random bytes)');
    this.key = key;
  }

  encrypt(e164: string, subscriberId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(subscriberId));
    const ct = Buffer.concat([cipher.update(e164, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  }

  /** Throws when the value was not encrypted under this key for this subscriber. */
  decrypt(sealed: string, subscriberId: string): string {
    if (!sealed.startsWith('v1.')) throw new Error('unknown phone ciphertext version');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    if (raw.length < 29) throw new Error('phone ciphertext too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(subscriberId));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
