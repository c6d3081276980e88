/**
 * Sign-in by OpenID Connect, authorization code + PKCE (RFC 7636, S256): the issuer's own sign-in
 * page (Cognito's hosted UI, the department's OIDC provider, or the local stack's developer page),
 * no client secret in the browser, tokens kept in sessionStorage for this tab only. MFA and
 * passwords are the identity provider's business. The access token goes to the API as a bearer
 * token; its groups claim only decides which actions the console offers.
 */
import type { ConsoleConfig } from './config.ts';

export interface Session {
  accessToken: string;
  expiresAt: number;
  sub: string;
  name: string;
  roles: string[];
}

const SESSION_KEY = 'tpm-console-session';
const PENDING_KEY = 'tpm-console-pending';

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

async function discover(config: ConsoleConfig): Promise<Discovery> {
  const url = config.signIn.discoveryUrl ?? `${config.signIn.issuer}/.well-known/openid-configuration`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`无法读取登录服务配置（${url}：HTTP ${res.status}）`);
  return (await res.json()) as Discovery;
}

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const random = (n: number) => b64url(crypto.getRandomValues(new Uint8Array(n)));

/** Where the issuer sends the browser back: the console's own page, without query or fragment. */
export const redirectUri = () => {
  const u = new URL(window.location.href);
  return `${u.origin}${u.pathname}`;
};

function claims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const json = decodeURIComponent(
    [...atob(part.replace(/-/g, '+').replace(/_/g, '/'))]
      .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
      .join(''),
  );
  return JSON.parse(json) as Record<string, unknown>;
}

/** The roles the token's groups claim maps to (the same mapping the API applies). */
export function rolesOf(token: string, config: ConsoleConfig): string[] {
  const value = claims(token)[config.signIn.groupsClaim];
  const groups = Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value.split(/[\s,]+/)
      : [];
  return [...new Set(groups.flatMap((g) => config.groups[g] ?? []))].sort();
}

export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  const s = JSON.parse(raw) as Session;
  return s.expiresAt > Date.now() + 30_000 ? s : undefined;
}

export async function signIn(config: ConsoleConfig): Promise<never> {
  const d = await discover(config);
  const verifier = random(48);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, hash: window.location.hash }));
  const url = new URL(d.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.signIn.clientId,
    redirect_uri: redirectUri(),
    scope: (config.signIn.scopes ?? ['openid', 'profile']).join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.toString());
  return new Promise<never>(() => {});
}

/** Completes a redirect back from the issuer (?code=&state=); undefined when this load is not one. */
export async function completeSignIn(config: ConsoleConfig): Promise<Session | undefined> {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return undefined;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as {
    verifier: string;
    state: string;
    hash: string;
  } | null;
  sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, '', `${redirectUri()}${pending?.hash ?? ''}`);
  if (error) throw new Error(`登录未完成：${params.get('error_description') ?? error}`);
  if (!pending || pending.state !== params.get('state')) throw new Error('登录状态不匹配，请重新登录。');
  const d = await discover(config);
  const res = await fetch(d.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.signIn.clientId,
      code: code!,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!res.ok) throw new Error(`登录服务拒绝了授权码（HTTP ${res.status}）`);
  const tokens = (await res.json()) as { access_token: string; expires_in: number };
  const c = claims(tokens.access_token);
  const session: Session = {
    accessToken: tokens.access_token,
    expiresAt: Date.now() + tokens.expires_in * 1000,
    sub: String(c.sub),
    name: String(c.username ?? c.name ?? c.sub),
    roles: rolesOf(tokens.access_token, config),
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export async function signOut(config: ConsoleConfig): Promise<void> {
  sessionStorage.removeItem(SESSION_KEY);
  const d = await discover(config).catch(() => undefined);
  if (d?.end_session_endpoint) {
    const url = new URL(d.end_session_endpoint);
    url.searchParams.set('client_id', config.signIn.clientId);
    url.searchParams.set('logout_uri', redirectUri());
    url.searchParams.set('post_logout_redirect_uri', redirectUri());
    window.location.assign(url.toString());
  } else window.location.reload();
}
