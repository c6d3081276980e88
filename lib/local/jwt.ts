/**
 * The local stand-in for the API Gateway JWT authorizer in front of the staff identity provider:
 * tokens are RS256-signed with a key kept in LOCAL_DATA_DIR, carry the groups in the claim the
 * identity settings name (schemas/identity.ts; by default Cognito's `cognito:groups` with groups
 * named like the roles, the same defaults functions/shared/auth.ts reads), are verified the way the
 * authorizer verifies (signature, kid, iss, aud or client_id, exp, nbf), and the claims reach the
 * handler as the authorizer passes them (every value a string; arrays flattened to "[a b]").
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
import { DEFAULT_IDENTITY_CLAIMS, groupForRole, type IdentityClaims } from '../../schemas/identity.ts';

export const LOCAL_AUDIENCE = 'local-admin-console';
/** Fixed, so a token from `npm run token` works whatever port the stack listens on. */
export const LOCAL_ISSUER = 'urn:local-stack:auth';
export const localKeyFile = (dataDir: string) => join(dataDir, 'jwt-signing-key.pem');
const KID = 'local-1';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * A claim value as the HTTP API JWT authorizer hands it to the function: strings unchanged, other
 * scalars as their text, arrays as their elements joined by one space in brackets ("[a b]").
 */
export function authorizerClaimValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(authorizerClaimValue).join(' ')}]`;
  return String(value);
}

export class LocalJwtIssuer {
  readonly issuer: string;
  readonly claims: IdentityClaims;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(keyFile: string, issuer: string, claims: IdentityClaims = DEFAULT_IDENTITY_CLAIMS) {
    this.issuer = issuer;
    this.claims = claims;
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true });
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    this.privateKey = createPrivateKey(readFileSync(keyFile));
    this.publicKey = createPublicKey(this.privateKey);
  }

  /** An access token for these roles: each as the group the claim settings map to it. */
  issue(sub: string, roles: string[], ttlSeconds = 3600, now = Math.floor(Date.now() / 1000)): string {
    return this.issueGroups(
      sub,
      roles.map((role) => groupForRole(this.claims, role)),
      ttlSeconds,
      now,
    );
  }

  /** An access token whose groups claim (the configured one) holds exactly these names, whatever they are. */
  issueGroups(sub: string, groups: unknown, ttlSeconds = 3600, now = Math.floor(Date.now() / 1000)): string {
    const header = { alg: 'RS256', typ: 'JWT', kid: KID };
    const payload = {
      sub,
      username: sub,
      [this.claims.groupsClaim]: groups,
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
    const checked = this.check(authorization, now);
    return checked.ok ? checked.claims : undefined;
  }

  /**
   * Verifies a bearer token and, when it would be refused, says why the way API Gateway's JWT
   * authorizer does in its `www-authenticate` header (`error_description`); null when there is no token.
   */
  check(
    authorization: string | undefined,
    now = Math.floor(Date.now() / 1000),
  ): { ok: true; claims: Record<string, string> } | { ok: false; description: string | null } {
    const refuse = (description: string | null) => ({ ok: false as const, description });
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return refuse(null);
    const parts = token.split('.');
    if (parts.length !== 3) return refuse('the token is not a JWT');
    const [h, p, s] = parts as [string, string, string];
    let header: { alg?: string; kid?: string };
    let payload: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    } catch {
      return refuse('the token is not a JWT');
    }
    if (header.alg !== 'RS256' || header.kid !== KID) return refuse('the token is not signed by a known key');
    if (!verify('sha256', Buffer.from(`${h}.${p}`), this.publicKey, Buffer.from(s, 'base64url')))
      return refuse('the token signature is invalid');
    if (payload.iss !== this.issuer) return refuse('the token does not have a valid issuer');
    if (payload.client_id !== LOCAL_AUDIENCE && payload.aud !== LOCAL_AUDIENCE)
      return refuse('the token does not have a valid audience');
    if (typeof payload.exp !== 'number' || payload.exp <= now) return refuse('the token has expired');
    if (typeof payload.nbf === 'number' && payload.nbf > now) return refuse('the token is not valid yet');
    return {
      ok: true,
      claims: Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, authorizerClaimValue(v)])),
    };
  }
}
