/**
 * The staff console as both builders see it: where its build is (console/dist), how it is rebuilt
 * when its sources changed (npm start, cdk synth, the test suite), and the security headers it is
 * served with — by the local stack (lib/local/console.ts) and by CloudFront (lib/aws/console-site.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const consoleDist = (root: string) => join(root, 'console', 'dist');

/** The console's Content-Security-Policy: its own files only, and calls to these origins (the API, the issuer). */
export function contentSecurityPolicy(connectSrc: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Ant Design writes its styles at run time (CSS-in-JS).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectSrc].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

/** The headers the console is served with: locally here, on AWS by CloudFront's response-headers policy. */
export function securityHeaders(connectSrc: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(connectSrc),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}

/** Generated from schemas/ (console/scripts/generate-api.ts), which is watched itself. */
const GENERATED = new Set(['schema.d.ts', 'roles.gen.ts']);

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(
    0,
    ...readdirSync(path)
      .filter((f) => !GENERATED.has(f))
      .map((f) => newestMtime(join(path, f))),
  );
}

/** Builds console/dist when it is missing or older than what it is built from. */
export function ensureConsoleBuilt(root: string, log: (line: string) => void): void {
  const dir = join(root, 'console');
  if (!existsSync(join(dir, 'src'))) return;
  const built = newestMtime(join(dir, 'dist', 'index.html'));
  const sources = Math.max(
    newestMtime(join(dir, 'src')),
    newestMtime(join(dir, 'index.html')),
    newestMtime(join(dir, 'vite.config.ts')),
    newestMtime(join(root, 'schemas')),
  );
  if (built >= sources) return;
  log('building the staff console (console/dist)…');
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build.ts')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) log('the staff console did not build; /console answers 503 until it does');
}
