/**
 * What the WeChat account keeps about a follower beside their profile, in their subscribers-table
 * partition (keys.ts): the customer-service window (`CSWINDOW`, changed by a pure rule from
 * core/delivery/customer-service.ts under a version condition), their consents to subscription
 * templates (`CONSENT#{templateId}`), and — only if they opted in — their last reported location
 * (`LOCATION`, kept two hours).
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type CustomerServiceWindow,
  giveBack,
  openWindow,
  takeFromWindow,
  type WindowGrant,
  type WindowTrigger,
} from '../../core/delivery/customer-service.ts';
import type { SubscriptionConsents } from '../../core/delivery/ports.ts';
import { conditionally } from './conditional.ts';
import { keys } from './keys.ts';
import { ttlFloor } from './ttl.ts';

const Grant = z.object({
  trigger: z.enum(['message', 'event']),
  opensAt: z.number(),
  closesAt: z.number(),
  left: z.number(),
});
const WindowItem = z.object({ grants: z.array(Grant).default([]), version: z.number().int().min(1) });

const MAX_ATTEMPTS = 6;

export class DynamoCustomerServiceWindow implements CustomerServiceWindow {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  private async read(openid: string): Promise<{ grants: WindowGrant[]; version: number }> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.customerServiceWindow(openid),
        ConsistentRead: true,
      }),
    );
    if (!res.Item) return { grants: [], version: 0 };
    const item = WindowItem.parse(res.Item);
    return { grants: item.grants, version: item.version };
  }

  /** Applies `change` until it commits against the version it read; returns what `change` said. */
  private async mutate<R>(
    openid: string,
    change: (grants: WindowGrant[]) => { next: WindowGrant[] | null; result: R },
  ): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const { grants, version } = await this.read(openid);
      const { next, result } = change(grants);
      if (!next) return result;
      const closes = Math.max(0, ...next.map((g) => g.closesAt));
      const written = await conditionally(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...keys.customerServiceWindow(openid),
              grants: next,
              version: version + 1,
              expiresAt: ttlFloor(Math.floor(closes / 1000) + 86_400),
            },
            ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
            ...(version === 0 ? {} : { ExpressionAttributeValues: { ':v': version } }),
          }),
        ),
      );
      if (written) return result;
      if (attempt >= MAX_ATTEMPTS) throw new Error('customer-service window changed too often to update');
    }
  }

  async open(openid: string, trigger: WindowTrigger, at: Date) {
    await this.mutate(openid, (grants) => {
      const next = openWindow(grants, trigger, at.getTime());
      return { next: JSON.stringify(next) === JSON.stringify(grants) ? null : next, result: null };
    });
  }

  take(openid: string, now: Date) {
    return this.mutate(
      openid,
      (grants): { next: WindowGrant[] | null; result: { taken: number[] } | { closed: string } } => {
        const taken = takeFromWindow(grants, now.getTime());
        return 'closed' in taken
          ? { next: null, result: taken }
          : { next: taken.grants, result: { taken: taken.taken } };
      },
    );
  }

  async giveBack(openid: string, taken: readonly number[]) {
    await this.mutate(openid, (grants) => ({ next: giveBack(grants, taken), result: null }));
  }

  async close(openid: string) {
    await this.mutate(openid, (grants) => ({
      next: grants.length ? grants.map((g) => ({ ...g, left: 0 })) : null,
      result: null,
    }));
  }
}

/** Consents to long-term subscription templates, one item per follower and template. */
export class DynamoSubscriptionConsents implements SubscriptionConsents {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async accepted(openids: readonly string[], templateId: string): Promise<Set<string>> {
    const out = new Set<string>();
    const unique = [...new Set(openids)];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = unique
        .slice(i, i + 100)
        .map((id) => keys.subscriptionConsent(id, templateId));
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const res: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: { Keys: pending, ProjectionExpression: 'openid, accepted' },
            },
          }),
        );
        for (const item of res.Responses?.[this.table] ?? [])
          if (item.accepted === true) out.add(String(item.openid));
        pending = res.UnprocessedKeys?.[this.table]?.Keys;
        if (attempt > 8 && pending?.length) throw new Error('BatchGetItem left keys unprocessed');
      }
    }
    return out;
  }

  /** Later events win: a change older than the stored one is ignored (WeChat may deliver out of order). */
  async record(
    openid: string,
    changes: ReadonlyArray<{ templateId: string; accepted: boolean }>,
    at: string,
  ) {
    for (const c of changes)
      await conditionally(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...keys.subscriptionConsent(openid, c.templateId),
              openid,
              templateId: c.templateId,
              accepted: c.accepted,
              at,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
  }
}

/** How long a follower's last reported location is kept. */
export const LOCATION_RETENTION_SECONDS = 2 * 3600;

/** The last location a follower who opted in reported. */
export class DynamoLocationReports {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async store(openid: string, at: Date, where: { latitude: number; longitude: number; precision: number }) {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.lastLocation(openid),
          ...where,
          at: at.toISOString(),
          expiresAt: Math.floor(at.getTime() / 1000) + LOCATION_RETENTION_SECONDS,
        },
      }),
    );
  }

  async get(openid: string) {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.lastLocation(openid) }),
    );
    return res.Item;
  }
}
