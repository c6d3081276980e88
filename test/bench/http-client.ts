/**
 * CPU per request of the provider transport (functions/shared/clients/http-json.ts, node:http with
 * keep-alive) against the global fetch, on the same JSON POST a template send is, with 12 requests in
 * flight (deliver-wechat's PUSH_CONCURRENCY). The server is another process, so the CPU measured is
 * the client's alone. Runs alternate between the two, so the machine's load falls on both alike.
 *
 *   node test/bench/http-client.ts [--requests 20000] [--runs 3]
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { httpJson, type JsonRequest } from '../../functions/shared/clients/http-json.ts';

if (process.argv[2] === 'serve') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"errcode":0,"errmsg":"ok","msgid":3147483647}');
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
} else {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '20000' }, runs: { type: 'string', default: '3' } },
  });
  const requests = Number(values.requests);
  const inFlight = 12;
  const server = fork(fileURLToPath(import.meta.url), ['serve']);
  const port = await new Promise<number>((r) => server.once('message', (p) => r(Number(p))));
  const url = `http://127.0.0.1:${port}/cgi-bin/message/template/send?access_token=bench`;
  const body = JSON.stringify({
    touser: 'o-bench-000000000000000000000001',
    template_id: 'restriction-reminder',
    url: 'https://example.gov.cn/n/1',
    data: {
      thing1: { value: '京A·12345 今日限行' },
      time2: { value: '12月2日 07:00–20:00' },
      thing3: { value: '尾号 2 和 7，五环路以内道路' },
    },
  });
  const init = {
    method: 'POST' as const,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body,
  };
  const clients: Record<string, JsonRequest> = { 'node:http (httpJson)': httpJson, fetch };

  const measure = async (request: JsonRequest) => {
    let next = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < requests)
          await (await request(url, { ...init, signal: AbortSignal.timeout(5000) })).json();
      }),
    );
    const { user, system } = process.cpuUsage(cpu);
    return { cpuUs: (user + system) / requests, perSecond: requests / ((performance.now() - start) / 1000) };
  };
  const results = new Map<string, { cpuUs: number[]; perSecond: number[] }>();
  await measure(httpJson); // warm-up, not counted
  await measure(fetch);
  for (let run = 0; run < Number(values.runs); run++)
    for (const [name, request] of Object.entries(clients)) {
      const r = await measure(request);
      const m = results.get(name) ?? { cpuUs: [], perSecond: [] };
      m.cpuUs.push(r.cpuUs);
      m.perSecond.push(r.perSecond);
      results.set(name, m);
    }
  server.kill();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `\nJSON POST of a template send, ${requests.toLocaleString('en')} requests per run, ${inFlight} in flight, median of ${values.runs} runs (Node ${process.version}; the server in its own process)\n`,
  );
  console.log('| client | client CPU µs per request | requests/s | runs (µs) |');
  console.log('| --- | ---: | ---: | --- |');
  for (const [name, m] of results)
    console.log(
      `| ${name} | ${median(m.cpuUs).toFixed(0)} | ${median(m.perSecond).toFixed(0)} | ${m.cpuUs.map((x) => x.toFixed(0)).join(', ')} |`,
    );
}
