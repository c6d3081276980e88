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

  // Other test files take ports of the same range meanwhile: each case holds the ports it relies on.
  const RANGE = process.env.LOCAL_PORTS?.trim() || '5300-5399';

  it('takes a free port of the range, passing over one in use, and says when none is left', async () => {
    process.env.LOCAL_PORTS = RANGE;
    const [from, to] = portRange()!;
    const held = await listenLoopback(server(), 0);
    expect(held).toBeGreaterThanOrEqual(from);
    expect(held).toBeLessThanOrEqual(to);
    // A range of the one port held: none left.
    process.env.LOCAL_PORTS = `${held}-${held}`;
    await expect(listenLoopback(server(), 0)).rejects.toThrow(`no free port in LOCAL_PORTS ${held}-${held}`);
    // A range around the port held (within LOCAL_PORTS): another one of it.
    const [lo, hi] = held + 20 <= to ? [held, held + 20] : [Math.max(from, held - 20), held];
    process.env.LOCAL_PORTS = `${lo}-${hi}`;
    const next = await listenLoopback(server(), 0);
    expect(next).not.toBe(held);
    expect(next).toBeGreaterThanOrEqual(lo);
    expect(next).toBeLessThanOrEqual(hi);
  });

  it('uses a fixed port as given, whatever the range', async () => {
    process.env.LOCAL_PORTS = RANGE;
    const port = await freePort();
    // A range without it: a given port is not a choice.
    process.env.LOCAL_PORTS = `${port - 1}-${port - 1}`;
    expect(await listenLoopback(server(), port)).toBe(port);
  });
});
