import { afterEach, describe, expect, it } from 'vitest';
import {
  credentialsTreatedAsExpired,
  defaultProvider,
} from '../../../functions/shared/clients/lambda-credentials.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const k of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_CREDENTIAL_EXPIRATION',
  ])
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
});

describe('the credentials a bundled function gives its AWS clients', () => {
  it('are the execution role’s, from the environment Lambda sets', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';
    const credentials = await defaultProvider()();
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('are refused, naming the variables, when the environment has none (no other source is tried)', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toThrow(/environment/i);
  });

  it('are renewed within five minutes of their expiry, as the default chain does', () => {
    expect(credentialsTreatedAsExpired({ expiration: new Date(Date.now() + 60_000) })).toBe(true);
    expect(credentialsTreatedAsExpired({ expiration: new Date(Date.now() + 3_600_000) })).toBe(false);
    expect(credentialsTreatedAsExpired({})).toBe(false);
  });
});
