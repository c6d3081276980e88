/**
 * The local stack as the chaos suite drives it: `node bin/local.ts` (what `npm start` runs) as a
 * child process on a loopback port in 5100–5199 with its own data folder, killed with SIGKILL when a
 * scenario needs a crash (the node process, found from the data folder's lock, as an operator's
 * `kill -9` would; its DynamoDB Local is reaped by the next start) and started again on the same
 * folder. Everything it talks to is on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { REPO_ROOT } from '../../lib/blueprint.ts';
import { localClient } from '../../lib/local/dynamodb-local.ts';
import { LOCAL_ISSUER, LocalJwtIssuer, localKeyFile } from '../../lib/local/jwt.ts';

export const NODE = join(REPO_ROOT, 'node_modules/.bin/node');

/** A free loopback port in [from, to]. */
export async function portIn(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
}

export class ChaosStack {
  readonly port: number;
  readonly dataDir: string;
  readonly env: Record<string, string>;
  readonly url: string;
  private child: ChildProcess | undefined;
  private output = '';
  doc: DynamoDBDocumentClient | undefined;
  generation = 0;

  constructor(port: number, dataDir: string, env: Record<string, string>) {
    this.port = port;
    this.dataDir = dataDir;
    this.env = env;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** What the tools (`npm run push`, …) need to find this stack. */
  toolEnv(): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      PORT: String(this.port),
      LOCAL_DATA_DIR: this.dataDir,
    };
  }

  async start(timeoutMs = 90_000): Promise<void> {
    this.output = '';
    this.generation++;
    const child = spawn(NODE, ['bin/local.ts'], {
      cwd: REPO_ROOT,
      env: { ...this.toolEnv(), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const append = (d: Buffer) => {
      this.output = (this.output + d).slice(-200_000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`stack not ready in ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
      const ready = () => {
        if (
          !this.output.includes(`Local stack ready on ${this.url}`) ||
          !/DynamoDB Local\s+http/.test(this.output)
        )
          return;
        clearTimeout(timer);
        child.stdout!.off('data', ready);
        resolve();
      };
      child.stdout!.on('data', ready);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`stack exited with ${code}:\n${this.output}`));
      });
    });
    const endpoint = /DynamoDB Local\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(this.output)?.[1];
    if (!endpoint) throw new Error(`no DynamoDB Local endpoint in the banner:\n${this.output}`);
    this.doc?.destroy();
    this.doc = DynamoDBDocumentClient.from(localClient(endpoint));
  }

  /** `kill -9` of the stack's node process (its pid is in the data folder's lock). */
  async kill9(): Promise<void> {
    const { pid } = JSON.parse(readFileSync(join(this.dataDir, 'stack.lock'), 'utf8')) as { pid: number };
    const exited = new Promise<void>((resolve) => this.child?.once('exit', () => resolve()));
    process.kill(pid, 'SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    this.doc?.destroy();
  }

  token(roles: string[] = ['operator']): string {
    return new LocalJwtIssuer(localKeyFile(this.dataDir), LOCAL_ISSUER).issue('chaos', roles, 3600);
  }

  async call(method: string, path: string, body?: unknown, roles?: string[]) {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token(roles)}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (a webhook's text answer)
    }
    return { status: res.status, body: json as Record<string, never> };
  }

  /** The tail of what the stack printed, for a failure's report. */
  tail(chars = 4000): string {
    return this.output.slice(-chars);
  }
}
