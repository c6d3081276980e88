/** Cap counters of many subscribers' day ledgers (BatchGet): the day of sending and the 6 days before. */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LedgerCounts } from '../../core/pushes/cap.ts';
import { addDays } from '../../core/time.ts';

const IN_FLIGHT = 8;

export async function ledgerCounts(
  doc: DynamoDBDocumentClient,
  table: string,
  subscribers: ReadonlyArray<{ channel: string; id: string }>,
  date: string,
): Promise<Map<string, LedgerCounts>> {
  const out = new Map<string, LedgerCounts>();
  const days = Array.from({ length: 7 }, (_, i) => addDays(date, -i));
  const keys = subscribers.flatMap((s) => days.map((sk) => ({ pk: `LEDGER#${s.channel}#${s.id}`, sk })));
  const chunks = Array.from({ length: Math.ceil(keys.length / 100) }, (_, i) =>
    keys.slice(i * 100, i * 100 + 100),
  );
  // A few BatchGets in flight: a preview of 2,000 members is 140 of them.
  const next = () => chunks.shift();
  const worker = async () => {
    for (let chunk = next(); chunk; chunk = next()) await readChunk(chunk);
  };
  const readChunk = async (chunk: Record<string, unknown>[]) => {
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [table]: { Keys: chunk },
    };
    while (request && Object.keys(request).length) {
      const res = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[table] ?? []) {
        const key = String(item.pk).slice('LEDGER#'.length);
        const counts = out.get(key) ?? {
          day: { restriction: 0, routine: 0, emergency: 0 },
          routineBefore: 0,
        };
        if (item.sk === date) {
          counts.day = {
            restriction: Number(item.c_restriction ?? 0),
            routine: Number(item.c_routine ?? 0),
            emergency: Number(item.c_emergency ?? 0),
          };
        } else counts.routineBefore += Number(item.c_routine ?? 0);
        out.set(key, counts);
      }
      request = res.UnprocessedKeys as typeof request;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return out;
}
