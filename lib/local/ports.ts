/**
 * Loopback ports for the local stack, DynamoDB Local and the sandboxes. "Any free port" (0) is the
 * kernel's choice, unless `LOCAL_PORTS=5300-5399` narrows it to a range — for a machine where only
 * some ports may be used (shared test hosts, a firewall): then a free one in the range is taken,
 * trying others when one is in use. A fixed port is always used as given.
 */
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';

/** The LOCAL_PORTS range, or null (any port). Throws on a malformed value rather than ignore it. */
export function portRange(env: Record<string, string | undefined> = process.env): [number, number] | null {
  const raw = env.LOCAL_PORTS?.trim();
  if (!raw) return null;
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(raw);
  const [from, to] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || from < 1 || to > 65_535 || from > to)
    throw new Error(`LOCAL_PORTS must be a range like 5300-5399, not '${raw}'`);
  return [from, to];
}

/** The range's ports, from a random one onwards (parallel test workers rarely collide). */
function candidates([from, to]: [number, number]): number[] {
  const n = to - from + 1;
  const start = Math.floor(Math.random() * n);
  return Array.from({ length: n }, (_, i) => from + ((start + i) % n));
}

const listenOnce = (server: Server | HttpServer, port: number) =>
  new Promise<void>((ok, fail) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      fail(e);
    };
    const onListening = () => {
      server.off('error', onError);
      ok();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });

/** Listens on 127.0.0.1:`port` (0: a free one, in LOCAL_PORTS if set); the port it got. */
export async function listenLoopback(server: Server | HttpServer, port: number): Promise<number> {
  const range = port === 0 ? portRange() : null;
  if (!range) {
    await listenOnce(server, port);
  } else {
    let bound = false;
    for (const p of candidates(range)) {
      try {
        await listenOnce(server, p);
        bound = true;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      }
    }
    if (!bound) throw new Error(`no free port in LOCAL_PORTS ${range.join('-')}`);
  }
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** A port free now (for a child process to listen on; in LOCAL_PORTS if set). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.unref();
  const port = await listenLoopback(srv, 0);
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
