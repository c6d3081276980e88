/**
 * Who a push reaches, read from the subscribers and ledger tables: the only module that knows how
 * subscribers are laid out for reading in bulk (profile `PROFILE` after the bindings `BIND#…` in one
 * partition per subscriber; the sparse fan-out index of bindings by city × tail × slot × shard).
 *  - `restrictionPage`: one page of a fan-out partition, one recipient per subscriber with their
 *    plates of this tail together; a page that ends inside a subscriber's plates resumes at them.
 *  - `scanPage`: one page of a parallel Scan segment, complete subscribers only; a page that ends
 *    inside a subscriber's items resumes after the last complete one.
 *  - `census`: the whole table as census entries (previews and operators' counts: a Scan per call).
 *  - `segmentMembers` and `ledgerCounts`: what the previews read to say what the cap would do.
 * Items read back are validated with zod; one that does not parse is skipped and reported.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ChannelSchema } from '../../../schemas/vocabulary.ts';
import type { CensusEntry } from '../../core/notices/audience.ts';
import type { LedgerCounts } from '../../core/pushes/cap.ts';
import { FANOUT_SHARDS, type FanoutSegment } from '../../core/subscribers/fanout.ts';
import { addDays } from '../../core/time.ts';
import type { Channel } from '../../core/vocabulary.ts';
import { keys } from './keys.ts';

export type PageCursor = Record<string, unknown> | null;

/** A recipient of a restriction reminder: one subscriber of the partition and their plates in it. */
export interface FanoutRecipient {
  channel: Channel;
  account: string;
  id: string;
  plates: string[];
}

export interface Page<T> {
  members: T[];
  next: PageCursor;
}

const FanoutItem = z.object({
  pk: z.string(),
  sk: z.string(),
  gsi1pk: z.string(),
  gsi1sk: z.string(),
  channel: ChannelSchema,
  // Any id, even one no key can be built from: expansion settles such a member alone.
  id: z.string(),
  account: z.string(),
  plate: z.string(),
});

const ScannedProfile = z.object({
  pk: z.string(),
  sk: z.string(),
  channel: ChannelSchema,
  id: z.string(),
  account: z.string(),
  status: z.string(),
  scene: z.string().nullable().optional(),
});
const ScannedBinding = z.object({ city: z.string(), tail: z.number().int().min(0).max(9) });

const LedgerItem = z.object({
  pk: z.string(),
  sk: z.string(),
  keys: z.set(z.string()).optional(),
  c_restriction: z.number().optional(),
  c_routine: z.number().optional(),
  c_transactional: z.number().optional(),
  c_emergency: z.number().optional(),
  c_desk: z.number().optional(),
});

/** A subscriber's census entry, with the scene it followed from (fallback numbers are marked). */
export type ScannedSubscriber = CensusEntry & { scene: string | null };

/**
 * Complete subscribers on one page of a Scan, in table order. A subscriber is complete when its
 * profile is seen (it sorts after the bindings); a page that ends inside a subscriber's items resumes
 * after the last profile it holds, so that subscriber is read whole on the next page.
 */
export function subscribersOfPage(
  items: ReadonlyArray<Record<string, unknown>>,
  lastEvaluatedKey: PageCursor,
  skipped: (reason: string) => void = () => {},
): { members: ScannedSubscriber[]; resumeAfter: PageCursor } {
  const members: ScannedSubscriber[] = [];
  let bindings: CensusEntry['bindings'] = [];
  let currentPk: unknown = null;
  let lastProfile: PageCursor = null;
  for (const item of items) {
    const kind = keys.subscriberItemKind(item);
    if (kind === null) continue;
    if (item.pk !== currentPk) {
      currentPk = item.pk;
      bindings = [];
    }
    if (kind === 'binding') {
      const b = ScannedBinding.safeParse(item);
      if (b.success) bindings.push(b.data);
      else skipped('binding item without city and tail');
      continue;
    }
    if (kind !== 'profile') continue;
    lastProfile = { pk: item.pk, sk: item.sk };
    const p = ScannedProfile.safeParse(item);
    if (!p.success) {
      skipped('profile item that does not parse');
      continue;
    }
    const { channel, id, account, status, scene } = p.data;
    members.push({ channel, id, account, status, bindings, scene: scene ?? null });
  }
  if (!lastEvaluatedKey) return { members, resumeAfter: null };
  const endsOnProfile = items.at(-1)?.sk === 'PROFILE';
  return { members, resumeAfter: endsOnProfile || !lastProfile ? lastEvaluatedKey : lastProfile };
}

const CENSUS_SEGMENTS = 8;
const LEDGER_READS_IN_FLIGHT = 8;

export class DynamoAudience {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tables: { subscribers: string; ledger?: string };
  private readonly skipped: (reason: string) => void;

  constructor(
    doc: DynamoDBDocumentClient,
    tables: { subscribers: string; ledger?: string },
    skipped: (reason: string) => void = () => {},
  ) {
    this.doc = doc;
    this.tables = tables;
    this.skipped = skipped;
  }

  async restrictionPage(
    segment: FanoutSegment,
    cursor: PageCursor,
    pageSize: number,
  ): Promise<Page<FanoutRecipient>> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tables.subscribers,
        IndexName: 'fanout',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': keys.fanout(segment) },
        Limit: pageSize,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    const items = (res.Items ?? []).flatMap((i) => {
      const parsed = FanoutItem.safeParse(i);
      if (!parsed.success) this.skipped('fan-out item that does not parse');
      return parsed.success ? [parsed.data] : [];
    });
    // A subscriber's plates are contiguous in the index (sort key channel#id#plate). A page that ends
    // inside a subscriber's plates resumes after the previous subscriber, so nobody is split in two.
    let page = items;
    let next = (res.LastEvaluatedKey as PageCursor | undefined) ?? null;
    const who = (i: { channel: string; id: string }) => `${i.channel}#${i.id}`;
    if (next && page.length > 1) {
      const lastWho = who(page.at(-1)!);
      const cut = page.findLastIndex((i) => who(i) !== lastWho);
      if (cut >= 0) {
        const { pk, sk, gsi1pk, gsi1sk } = page[cut]!;
        next = { pk, sk, gsi1pk, gsi1sk };
        page = page.slice(0, cut + 1);
      }
    }
    const bySubscriber = new Map<string, FanoutRecipient>();
    for (const item of page) {
      const existing = bySubscriber.get(who(item));
      if (existing) existing.plates.push(item.plate);
      else
        bySubscriber.set(who(item), {
          channel: item.channel,
          account: item.account,
          id: item.id,
          plates: [item.plate],
        });
    }
    return { members: [...bySubscriber.values()], next };
  }

  async scanPage(
    scan: { segment: number; of: number },
    cursor: PageCursor,
    pageSize: number,
  ): Promise<Page<ScannedSubscriber>> {
    const res = await this.doc.send(
      new ScanCommand({
        TableName: this.tables.subscribers,
        Segment: scan.segment,
        TotalSegments: scan.of,
        ...(pageSize ? { Limit: pageSize } : {}),
        ProjectionExpression: 'pk, sk, channel, id, account, #s, city, tail, scene',
        ExpressionAttributeNames: { '#s': 'status' },
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    const { members, resumeAfter } = subscribersOfPage(
      res.Items ?? [],
      (res.LastEvaluatedKey as PageCursor | undefined) ?? null,
      this.skipped,
    );
    return { members, next: resumeAfter };
  }

  /** Every subscriber with their bound cities and tails: a parallel Scan of the whole table. */
  async census(): Promise<ScannedSubscriber[]> {
    const all = await Promise.all(
      Array.from({ length: CENSUS_SEGMENTS }, async (_, segment) => {
        const out: ScannedSubscriber[] = [];
        let cursor: PageCursor = null;
        do {
          const page = await this.scanPage({ segment, of: CENSUS_SEGMENTS }, cursor, 0);
          out.push(...page.members);
          cursor = page.next;
        } while (cursor);
        return out;
      }),
    );
    return all.flat();
  }

  /** Every subscriber of one fan-out segment (the restriction preview's audience). */
  /**
   * How many entries the fan-out index lists for these tails of a city and slot, over every shard:
   * one COUNT Query per partition (paged past 1 MB), all partitions at once. What a restriction run
   * is paced for; a subscriber with plates of two of the tails is counted in each.
   */
  async fanoutCount(city: string, slot: 'morning' | 'evening', tails: readonly number[]): Promise<number> {
    const partitions = tails.flatMap((tail) =>
      Array.from({ length: FANOUT_SHARDS }, (_, shard) => keys.fanout({ city, slot, tail, shard })),
    );
    const counts = await Promise.all(
      partitions.map(async (p) => {
        let n = 0;
        let cursor: PageCursor = null;
        do {
          const res: QueryCommandOutput = await this.doc.send(
            new QueryCommand({
              TableName: this.tables.subscribers,
              IndexName: 'fanout',
              KeyConditionExpression: 'gsi1pk = :p',
              ExpressionAttributeValues: { ':p': p },
              Select: 'COUNT',
              ...(cursor ? { ExclusiveStartKey: cursor } : {}),
            }),
          );
          n += res.Count ?? 0;
          cursor = (res.LastEvaluatedKey as PageCursor | undefined) ?? null;
        } while (cursor);
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async segmentMembers(segment: FanoutSegment): Promise<FanoutRecipient[]> {
    const out: FanoutRecipient[] = [];
    let cursor: PageCursor = null;
    do {
      const page = await this.restrictionPage(segment, cursor, 1000);
      out.push(...page.members);
      cursor = page.next;
    } while (cursor);
    return out;
  }

  /**
   * Cap counters of many subscribers' day ledgers: the day of sending (with its push keys) and the
   * routine pushes of the 6 days before. A few BatchGets in flight: 2,000 members are 140 of them.
   */
  async ledgerCounts(
    members: ReadonlyArray<{ channel: Channel; id: string }>,
    date: string,
  ): Promise<Map<string, LedgerCounts & { keys: string[] }>> {
    const table = this.tables.ledger;
    if (!table) throw new Error('this audience reads no ledger table');
    const out = new Map<string, LedgerCounts & { keys: string[] }>();
    const days = Array.from({ length: 7 }, (_, i) => addDays(date, -i));
    const wanted = members.flatMap((m) => days.map((d) => keys.ledgerDay(m.channel, m.id, d)));
    const chunks = Array.from({ length: Math.ceil(wanted.length / 100) }, (_, i) =>
      wanted.slice(i * 100, i * 100 + 100),
    );
    const readChunk = async (chunk: Record<string, unknown>[]) => {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [table]: { Keys: chunk },
      };
      while (request && Object.keys(request).length) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const raw of res.Responses?.[table] ?? []) {
          const item = LedgerItem.safeParse(raw);
          if (!item.success) {
            this.skipped('ledger item that does not parse');
            continue;
          }
          const owner = keys.ledgerOwner(item.data.pk);
          const k = `${owner.channel}#${owner.id}`;
          const counts = out.get(k) ?? {
            day: { restriction: 0, routine: 0, transactional: 0, emergency: 0, desk: 0 },
            routineBefore: 0,
            keys: [],
          };
          if (item.data.sk === date) {
            counts.day = {
              restriction: item.data.c_restriction ?? 0,
              routine: item.data.c_routine ?? 0,
              transactional: item.data.c_transactional ?? 0,
              emergency: item.data.c_emergency ?? 0,
              desk: item.data.c_desk ?? 0,
            };
            counts.keys = [...(item.data.keys ?? [])];
          } else counts.routineBefore += item.data.c_routine ?? 0;
          out.set(k, counts);
        }
        request = res.UnprocessedKeys as typeof request;
      }
    };
    const worker = async () => {
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) await readChunk(chunk);
    };
    await Promise.all(Array.from({ length: LEDGER_READS_IN_FLIGHT }, worker));
    return out;
  }
}
