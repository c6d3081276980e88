/**
 * `npm start` as a newcomer runs it: a child process with a free PORT and a fresh LOCAL_DATA_DIR,
 * ready line, /health, SIGTERM, and no DynamoDB Local left behind. Then a restart on the same data
 * directory finds its tables (data survives).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/blueprint.ts';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { npmStart, npmStop } from '../fixtures/npm-start.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'e2e-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function javaProcessesFor(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', 'DynamoDBLocal.jar'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(dir));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Waits up to 10 s for the stack's Java child to be gone. */
async function noJavaLeft(dir: string): Promise<string[]> {
  for (let i = 0; i < 100 && javaProcessesFor(dir).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  return javaProcessesFor(dir);
}

describe('npm start', () => {
  it('serves /health, stops on SIGTERM and leaves no DynamoDB Local behind; data survives a restart', async () => {
    const port = await freePort();
    const first = await npmStart(port, dataDir);
    expect(javaProcessesFor(dataDir)).toHaveLength(1);
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', stage: 'local' });
    expect(first.output()).toContain('created tables:');
    expect(['exit 0', 'SIGTERM']).toContain(await npmStop(first.child));
    expect(await noJavaLeft(dataDir)).toEqual([]);

    const second = await npmStart(port, dataDir);
    expect(second.output()).not.toContain('created tables:');
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect(['exit 0', 'SIGTERM']).toContain(await npmStop(second.child));
    expect(await noJavaLeft(dataDir)).toEqual([]);
  }, 120_000);

  it('refuses a second stack on a data folder another one holds, with a message, and tools say how to start one', async () => {
    const port = await freePort();
    const first = await npmStart(port, dataDir);
    let refused = '';
    try {
      execFileSync(join(REPO_ROOT, 'node_modules/.bin/node'), ['bin/local.ts'], {
        cwd: REPO_ROOT,
        env: { ...process.env, PORT: String(await freePort()), LOCAL_DATA_DIR: dataDir },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as { status: number; stderr: string };
      expect(err.status).toBe(2);
      refused = err.stderr;
    }
    expect(refused).toMatch(
      /is in use by another local stack \(pid \d+, port \d+\): stop it, or start this one with another LOCAL_DATA_DIR/,
    );
    expect(javaProcessesFor(dataDir)).toHaveLength(1); // no second DynamoDB Local on the folder
    expect(['exit 0', 'SIGTERM']).toContain(await npmStop(first.child));
    expect(await noJavaLeft(dataDir)).toEqual([]);

    // With no stack on PORT, a tool prints one line saying how to start it (no stack trace).
    for (const tool of ['bin/wechat.ts', 'bin/push.ts']) {
      let out = '';
      try {
        execFileSync(
          join(REPO_ROOT, 'node_modules/.bin/node'),
          [tool, ...(tool.includes('push') ? ['--city', 'beijing'] : ['限行'])],
          {
            cwd: REPO_ROOT,
            env: { ...process.env, PORT: String(port), LOCAL_DATA_DIR: dataDir },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
      } catch (e) {
        const err = e as { status: number; stderr: string };
        expect(err.status, tool).toBe(1);
        out = err.stderr;
      }
      expect(out.trim().split('\n'), tool).toEqual([
        `Nothing answers on http://127.0.0.1:${port}: start the local stack with \`npm start\` (PORT and LOCAL_DATA_DIR must match its), or pass --api/--url.`,
      ]);
    }
  }, 120_000);

  it('explains how to get Java when none is found', () => {
    let out = '';
    try {
      execFileSync(join(REPO_ROOT, 'node_modules/.bin/node'), ['bin/local.ts'], {
        cwd: REPO_ROOT,
        env: { ...process.env, PATH: '/nonexistent', JAVA_HOME: '', PORT: '0', LOCAL_DATA_DIR: dataDir },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as { status: number; stderr: string };
      expect(err.status).toBe(2);
      out = err.stderr;
    }
    expect(out).toContain('openjdk-17-jre-headless');
    expect(out).toContain('DYNAMODB_ENDPOINT');
  });
});
