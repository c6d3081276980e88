/**
 * Wiring: sealing a citizen's number for the desk (manage-desk, receive-12345): only the pepper and
 * the data key of the SMS secret (blueprint `secrets`); sealing sends nothing.
 */
import { type SmsSecret, smsSecretSource } from '../../adapters/sms/settings.ts';
import { PhoneVault } from '../../adapters/sms/vault.ts';
import type { DeskDeps } from '../../core/desk/ports.ts';
import { normalisePhone, phoneId } from '../../core/sms/numbers.ts';
import { env } from '../config.ts';

let readSmsSecret: (() => Promise<SmsSecret>) | undefined;

export const sealPhone: NonNullable<DeskDeps['sealPhone']> = async (raw: string) => {
  readSmsSecret ??= smsSecretSource(env());
  const secret = await readSmsSecret();
  const phone = normalisePhone(raw);
  const id = phoneId(secret.pepper, phone);
  return { id, sealed: new PhoneVault(secret.dataKey).encrypt(phone, id) };
};
