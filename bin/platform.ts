#!/usr/bin/env node
/**
 * `npm run platform -- …` — the traffic-management platform's sandbox against the local stack: posts
 * its events signed with the integration secret (the dev one unless DRIVER_INTEGRATION_SECRET is
 * set), prints the answer event by event.
 *
 *   npm run platform -- vehicle 京A12345 --vin LSVAM4187C2184952 --phone 13800138000
 *   npm run platform -- violation 京A12345 --act 闯红灯 --place 长安街西单路口 --fine 200 --points 6 [--at 2026-11-16T23:00:00+08:00] [--photo https://…]
 *   npm run platform -- licence 110101199001011234 --file 110000123456 [--phone …]
 *   npm run platform -- points 110101199001011234 9
 *   npm run platform -- inspection 京A12345 --due 2026-12-01     (insurance 京A12345 --due …; renewal <licence> --due …)
 *   npm run platform -- file events.jsonl                          (JSON Lines, posted 500 a request)
 *   npm run platform -- drop events.jsonl                          (the nightly S3 drop: the local bucket)
 *   npm run platform -- … --replay     (sends the same signed request twice: the second is refused)
 *   npm run platform -- … --forge      (a wrong signature: refused)
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEV_DRIVER_DEFAULTS } from '../functions/adapters/integrations/secret.ts';
import { cliArgs, fetchOrExplain, localStackUrl, usageError } from '../lib/local/cli.ts';
import { platformEvents, signedBatch } from '../lib/local/platform-user.ts';

const USAGE =
  'usage: npm run platform -- vehicle|licence|violation|points|inspection|insurance|renewal|file|drop … (see bin/platform.ts)';

const { values, positionals } = cliArgs(USAGE, {
  allowPositionals: true,
  options: {
    vin: { type: 'string' },
    phone: { type: 'string' },
    type: { type: 'string' },
    file: { type: 'string' },
    act: { type: 'string', default: '机动车违反禁令标志指示' },
    place: { type: 'string', default: '长安街与西单北大街交叉口' },
    fine: { type: 'string', default: '200' },
    points: { type: 'string', default: '3' },
    at: { type: 'string' },
    photo: { type: 'string', multiple: true },
    state: { type: 'string' },
    id: { type: 'string' },
    due: { type: 'string' },
    replay: { type: 'boolean', default: false },
    forge: { type: 'boolean', default: false },
    url: { type: 'string', default: localStackUrl() },
  },
});
const [command, subject, extra] = positionals;
const usage = () => usageError(USAGE);
const integration = {
  id: process.env.DRIVER_INTEGRATION_ID ?? DEV_DRIVER_DEFAULTS.DRIVER_INTEGRATION_ID,
  secret: process.env.DRIVER_INTEGRATION_SECRET ?? DEV_DRIVER_DEFAULTS.DRIVER_INTEGRATION_SECRET,
};

async function post(events: readonly unknown[]) {
  const signed = signedBatch(integration, events);
  if (values.forge) signed.headers['x-signature'] = '0'.repeat(64);
  for (let i = 0; i < (values.replay ? 2 : 1); i++) {
    const res = await fetchOrExplain(`${values.url}${signed.path}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    console.log(`HTTP ${res.status} ${JSON.stringify(await res.json(), null, 2)}`);
  }
}

if (!command) usage();
if (command === 'file' || command === 'drop') {
  if (!subject) usage();
  const text = readFileSync(subject!, 'utf8');
  if (command === 'drop') {
    const res = await fetchOrExplain(
      `${values.url}/_local/buckets/driver-drops/${encodeURIComponent(basename(subject!))}`,
      {
        method: 'PUT',
        body: text,
      },
    );
    console.log(`HTTP ${res.status} ${await res.text()}`);
  } else {
    const events = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as unknown);
    for (let i = 0; i < events.length; i += 500) await post(events.slice(i, i + 500));
  }
} else {
  if (!subject) usage();
  const e = platformEvents;
  const event =
    command === 'vehicle'
      ? e.vehicle(subject!, {
          vin: values.vin ?? usage()!,
          ...(values.phone ? { phone: values.phone } : {}),
          ...(values.type ? { plateType: values.type } : {}),
        })
      : command === 'licence'
        ? e.licence(subject!, {
            file: values.file ?? usage()!,
            ...(values.phone ? { phone: values.phone } : {}),
          })
        : command === 'violation'
          ? e.violation(subject!, {
              act: values.act!,
              place: values.place!,
              fine: Number(values.fine),
              points: Number(values.points),
              ...(values.at ? { at: values.at } : {}),
              ...(values.photo ? { photos: values.photo } : {}),
              ...(values.state ? { state: values.state } : {}),
              ...(values.id ? { violationId: values.id } : {}),
            })
          : command === 'points'
            ? e.points(subject!, Number(extra ?? usage()))
            : command === 'inspection' || command === 'insurance'
              ? e.due(
                  command === 'inspection' ? 'inspection-due' : 'insurance-expiry',
                  subject!,
                  values.due ?? usage()!,
                )
              : command === 'renewal'
                ? e.renewal(subject!, values.due ?? usage()!)
                : usage();
  await post([event]);
}
