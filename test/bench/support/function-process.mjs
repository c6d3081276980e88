/**
 * One function alone in a Node process, as in a Lambda execution environment: the bundle and nothing
 * else (a benchmark that forked its own script would count its own imports, ~90 MB of esbuild, the
 * blueprint and the local stack, in the function's memory). One invocation at a time, each with a
 * Context carrying the function's timeout; every answer reports the process's peak resident memory
 * so far (what Lambda reports as Max Memory Used).
 *
 *   fork(this file, [bundle, functionId, timeoutSeconds, memoryMb])
 *   → { ready: true, initRssMb, maxRssMb, cpuMs }
 *   ← { id, event }  → { id, result | error, maxRssMb, cpuMs }   (cpuMs: the process's CPU time so far)
 *
 * Node builtins only, and JavaScript (a .ts file would load Node's type stripper, ~18 MB), so that
 * nothing but the bundle is in the process.
 */
import { pathToFileURL } from 'node:url';

const [file, fnId, timeoutSeconds, memoryMb] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(file).href);
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
/** CPU time (user + system) the process has used so far, ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
process.send({
  ready: true,
  initRssMb: process.memoryUsage().rss / 1024 / 1024,
  maxRssMb: maxRssMb(),
  cpuMs: cpuMs(),
});

let queue = Promise.resolve();
process.on('message', (m) => {
  queue = queue.then(async () => {
    const deadline = Date.now() + Number(timeoutSeconds) * 1000;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: fnId,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${fnId}`,
      memoryLimitInMB: memoryMb,
      awsRequestId: `bench-${m.id}`,
      logGroupName: `/aws/lambda/${fnId}`,
      logStreamName: 'bench',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
    try {
      const result = await handler(m.event, context);
      process.send({ id: m.id, result, maxRssMb: maxRssMb(), cpuMs: cpuMs() });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      process.send({
        id: m.id,
        error: { name: e.name, message: e.message },
        maxRssMb: maxRssMb(),
        cpuMs: cpuMs(),
      });
    }
  });
});
