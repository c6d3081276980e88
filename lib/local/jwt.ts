/**
 * The local stand-in for the API Gateway JWT authorizer in front of Cognito: tokens are RS256-signed
 * with a key kept in LOCAL_DATA_DIR, verified the way the authorizer verifies (signature, kid, iss,
 * aud or client_id, exp, nbf), and the claims reach the handler as the authorizer passes them
 * (every value a string; arrays such as `cognito:groups` flattened to "[a b]").
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const LOCAL_AUDIENCE = 'local-admin-console';
/** Fixed, so a token from `npm run token` works whatever port the stack listens on. */
export const LOCAL_ISSUER = 'urn:local-stack:auth';
export const localKeyFile = (dataDir: string) => join(dataDir, 'jwt-signing-key.pem');
const KID = 'local-1';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class LocalJwtIssuer {
  readonly issuer: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(keyFile: string, issuer: string) {
    this.issuer = issuer;
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true });
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    this.privateKey = createPrivateKey(readFileSync(keyFile));
    this.publicKey = createPublicKey(this.privateKey);
  }

  /** A Cognito-shaped access token. */
  issue(sub: string, groups: string[], ttlSeconds = 3600, now = Math.floor(Date.now() / 1000)): string {
    const header = { alg: 'RS256', typ: 'JWT', kid: KID };
    const payload = {
      sub,
      username: sub,
      'cognito:groups': groups,
      iss: this.issuer,
      client_id: LOCAL_AUDIENCE,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      iat: now,
      nbf: now,
      exp: now + ttlSeconds,
      jti: crypto.randomUUID(),
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    return `${input}.${b64url(sign('sha256', Buffer.from(input), this.privateKey))}`;
  }

  jwks() {
    return { keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] };
  }

  /** Verifies a bearer token; returns the claims as API Gateway passes them, or undefined when it would answer 401. */
  verify(
    authorization: string | undefined,
    now = Math.floor(Date.now() / 1000),
  ): Record<string, string> | undefined {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    const parts = token?.split('.');
    if (parts?.length !== 3) return undefined;
    const [h, p, s] = parts as [string, string, string];
    let header: { alg?: string; kid?: string };
    let payload: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (header.alg !== 'RS256' || header.kid !== KID) return undefined;
    if (!verify('sha256', Buffer.from(`${h}.${p}`), this.publicKey, Buffer.from(s, 'base64url')))
      return undefined;
    if (payload.iss !== this.issuer) return undefined;
    if (payload.client_id !== LOCAL_AUDIENCE && payload.aud !== LOCAL_AUDIENCE) return undefined;
    if (typeof payload.exp !== 'number' || payload.exp <= now) return undefined;
    if (typeof payload.nbf === 'number' && payload.nbf > now) return undefined;
    return Object.fromEntries(
      Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
    );
  }
}
