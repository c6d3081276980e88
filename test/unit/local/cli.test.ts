/**
 * The developer CLIs' command lines (lib/local/cli.ts cliArgs), as a person types them: `--help`
 * prints the usage and exits 0; an option a CLI does not have, or one without its value, is one line
 * saying so and the usage, exit 2 — never a stack trace. None of these reaches the network.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../lib/blueprint.ts';

const CLIS = ['sms', 'wechat', 'push', 'menu', 'platform', 'token'] as const;

/** A port nothing listens on: a CLI that tried the network would say so, and the test would see it. */
let port = 0;
beforeAll(async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
});

function run(cli: string, args: string[]) {
  const res = spawnSync(join(REPO_ROOT, 'node_modules/.bin/node'), [`bin/${cli}.ts`, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port) },
    encoding: 'utf8',
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('developer CLIs', () => {
  it.each(CLIS)('npm run %s -- --help prints the usage and exits 0', (cli) => {
    const { status, stdout, stderr } = run(cli, ['--help']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: npm run ${cli} -- `));
    expect(run(cli, ['-h']).stdout).toBe(stdout);
  });

  it.each(CLIS)('npm run %s with an option it does not have: one line and the usage, exit 2', (cli) => {
    const { status, stdout, stderr } = run(cli, ['--no-such-option']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Unknown option '--no-such-option'/);
    expect(lines[1]).toMatch(new RegExp(`^usage: npm run ${cli} -- `));
  });

  it('an option without its value says so, not a stack trace', () => {
    const { status, stderr } = run('sms', ['--from']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^Option '--from <value>' argument missing\nusage: npm run sms -- /);
    expect(stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('a --help after -- is text to send, not a request for help', () => {
    // The SMS goes nowhere (nothing listens on the port): the CLI tried to send it.
    const { status, stderr } = run('sms', ['--', '--help']);
    expect(status).toBe(1);
    expect(stderr).toMatch(new RegExp(`^Nothing answers on http://127\\.0\\.0\\.1:${port}`));
  });

  it('a missing argument prints the usage and exits 2', () => {
    const { status, stderr } = run('token', []);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^usage: npm run token -- /);
    const unknown = run('token', ['chief']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown role\(s\): chief\nusage: npm run token -- /);
  });
});
