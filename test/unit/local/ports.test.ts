import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, listenLoopback, portRange } from '../../../lib/local/ports.ts';

const saved = process.env.LOCAL_PORTS;
const open: Server[] = [];
afterEach(async () => {
  if (saved === undefined) delete process.env.LOCAL_PORTS;
  else process.env.LOCAL_PORTS = saved;
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});
const server = () => {
  const s = createServer();
  open.push(s);
  return s;
};

describe('loopback ports', () => {
  it('reads LOCAL_PORTS as an inclusive range, and refuses a malformed one', () => {
    expect(portRange({})).toBeNull();
    expect(portRange({ LOCAL_PORTS: ' 5300-5399 ' })).toEqual([5300, 5399]);
    for (const bad of ['5300', '5399-5300', '0-10', '5300-70000', 'a-b'])
      expect(() => portRange({ LOCAL_PORTS: bad }), bad).toThrow(/LOCAL_PORTS/);
  });

  it('takes a free port of the range, passing over one in use, and says when none is left', async () => {
    process.env.LOCAL_PORTS = '5396-5397';
    const first = await listenLoopback(server(), 0);
    expect([5396, 5397]).toContain(first);
    const second = await listenLoopback(server(), 0);
    expect(second).toBe(first === 5396 ? 5397 : 5396);
    await expect(listenLoopback(server(), 0)).rejects.toThrow('no free port in LOCAL_PORTS 5396-5397');
  });

  it('uses a fixed port as given, whatever the range', async () => {
    process.env.LOCAL_PORTS = '5396-5396';
    const port = await freePort();
    expect(port).toBe(5396);
    expect(await listenLoopback(server(), port)).toBe(port);
  });
});
