/**
 * The staff console on the local stack: the built SPA at /console (rebuilt by `npm start` when its
 * sources changed), its runtime config.json pointing at this stack, and — STAGE=local only — a local
 * OpenID Connect issuer so the console signs in exactly as it does on AWS (authorization code + PKCE):
 * its "sign-in page" lets a developer pick a name and roles, and the token endpoint answers with a
 * token from the local JWT issuer (lib/local/jwt.ts) that the local API verifies.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { DEFAULT_IDENTITY_CLAIMS } from '../../schemas/identity.ts';
import { ROLES } from '../../schemas/roles.ts';
import { securityHeaders } from '../console.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, type LocalJwtIssuer } from './jwt.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

interface PendingCode {
  sub: string;
  roles: string[];
  challenge: string;
  redirectUri: string;
  expiresAt: number;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export class LocalConsole {
  private readonly dist: string;
  private readonly codes = new Map<string, PendingCode>();
  private readonly endpoint: () => string;
  private readonly jwt: () => LocalJwtIssuer;
  private readonly servedCities: readonly string[];

  constructor(
    root: string,
    endpoint: () => string,
    jwt: () => LocalJwtIssuer,
    servedCities: readonly string[],
  ) {
    this.dist = resolve(root, 'console', 'dist');
    this.endpoint = endpoint;
    this.jwt = jwt;
    this.servedCities = servedCities;
  }

  config() {
    const base = this.endpoint();
    return {
      apiUrl: base,
      signIn: {
        issuer: LOCAL_ISSUER,
        clientId: LOCAL_AUDIENCE,
        audience: [LOCAL_AUDIENCE],
        groupsClaim: DEFAULT_IDENTITY_CLAIMS.groupsClaim,
        discoveryUrl: `${base}/_local/oidc/.well-known/openid-configuration`,
      },
      groups: DEFAULT_IDENTITY_CLAIMS.groups,
      stage: 'local',
      servedCities: [...this.servedCities],
    };
  }

  /** GET /console/… */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const headers = securityHeaders([]);
    if (url.pathname === '/console') {
      res.writeHead(302, { location: '/console/' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const rel = decodeURIComponent(url.pathname.slice('/console/'.length)) || 'index.html';
    if (rel === 'config.json') {
      res.writeHead(200, { 'content-type': TYPES['.json']!, 'cache-control': 'no-store', ...headers });
      res.end(JSON.stringify(this.config()));
      return;
    }
    const file = normalize(join(this.dist, rel));
    if (!file.startsWith(this.dist + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      if (!existsSync(join(this.dist, 'index.html'))) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(
          'The staff console is not built: run `npm run console:build` (npm start builds it when it can).',
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not Found');
      return;
    }
    const immutable = rel.startsWith('assets/');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  }

  /** /_local/oidc/…: discovery, the developer's sign-in page, the token endpoint, sign-out. */
  async oidc(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const base = this.endpoint();
    const path = url.pathname.slice('/_local/oidc'.length);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(value));
    };
    if (path === '/.well-known/openid-configuration')
      return json(200, {
        issuer: LOCAL_ISSUER,
        authorization_endpoint: `${base}/_local/oidc/authorize`,
        token_endpoint: `${base}/_local/oidc/token`,
        end_session_endpoint: `${base}/_local/oidc/logout`,
        jwks_uri: `${base}/_local/auth/jwks.json`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    const form = new URLSearchParams(req.method === 'POST' ? body.toString('utf8') : url.search);
    if (path === '/authorize') {
      const redirectUri = form.get('redirect_uri') ?? '';
      if (form.get('client_id') !== LOCAL_AUDIENCE || !redirectUri.startsWith(`${base}/console/`))
        return json(400, {
          error: 'invalid_request',
          error_description: 'unknown client_id or redirect_uri',
        });
      if (form.get('code_challenge_method') !== 'S256' || !form.get('code_challenge'))
        return json(400, { error: 'invalid_request', error_description: 'PKCE with S256 is required' });
      if (req.method === 'POST') {
        const sub = (form.get('name') ?? '').trim();
        const roles = form.getAll('role').filter((r) => (ROLES as readonly string[]).includes(r));
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(sub) || roles.length === 0)
          return this.signInPage(res, form, '请填写名字（字母、数字、. _ -）并至少选择一个角色。');
        const code = randomBytes(24).toString('base64url');
        this.codes.set(code, {
          sub,
          roles,
          challenge: form.get('code_challenge')!,
          redirectUri,
          expiresAt: Date.now() + 60_000,
        });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', form.get('state') ?? '');
        res.writeHead(302, { location: back.toString() });
        res.end();
        return;
      }
      return this.signInPage(res, form);
    }
    if (path === '/token' && req.method === 'POST') {
      const code = form.get('code') ?? '';
      const pending = this.codes.get(code);
      this.codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        !pending ||
        pending.expiresAt < Date.now() ||
        form.get('grant_type') !== 'authorization_code' ||
        form.get('client_id') !== LOCAL_AUDIENCE ||
        form.get('redirect_uri') !== pending.redirectUri ||
        challenge !== pending.challenge
      )
        return json(400, { error: 'invalid_grant' });
      return json(200, {
        access_token: this.jwt().issue(pending.sub, pending.roles, 3600),
        token_type: 'Bearer',
        expires_in: 3600,
      });
    }
    if (path === '/logout') {
      const back = url.searchParams.get('post_logout_redirect_uri') ?? '';
      res.writeHead(302, { location: back.startsWith(`${base}/console/`) ? back : '/console/' });
      res.end();
      return;
    }
    return json(404, { error: 'not_found' });
  }

  private signInPage(res: ServerResponse, form: URLSearchParams, problem?: string): void {
    const hidden = [
      'client_id',
      'redirect_uri',
      'state',
      'code_challenge',
      'code_challenge_method',
      'response_type',
      'scope',
    ]
      .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(form.get(k) ?? '')}">`)
      .join('');
    const labels: Record<string, string> = {
      editor: '编辑',
      reviewer: '审核',
      operator: '值班',
      admin: '管理员',
    };
    const chosen = new Set(form.getAll('role'));
    const roles = ROLES.map(
      (r) =>
        `<label><input type="checkbox" name="role" value="${r}"${chosen.has(r) ? ' checked' : ''}> ${labels[r] ?? r} (${r})</label>`,
    ).join('<br>');
    res.writeHead(problem ? 400 : 200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...securityHeaders([]),
    });
    res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>本地登录</title>
<style>body{font-family:sans-serif;max-width:420px;margin:64px auto;color:#262626}fieldset{margin:16px 0}
input[type=text]{width:100%;padding:6px}button{padding:6px 16px;background:#1f4e9c;color:#fff;border:0}
.problem{color:#a8071a}</style></head><body><main>
<h1>本地登录（仅本地栈 STAGE=local）</h1>
<p>选择名字和角色，获得一个本地令牌。部署后的登录由身份提供方负责。</p>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post">${hidden}
<label for="name">名字</label><input id="name" type="text" name="name" value="${escapeHtml(form.get('name') ?? '')}" autocomplete="username">
<fieldset><legend>角色</legend>${roles}</fieldset>
<button type="submit">登录</button></form></main></body></html>`);
  }
}
