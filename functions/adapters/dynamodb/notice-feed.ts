/**
 * The public notice feed by city (content table, gsi1 `FEED#{city}`, newest first), as the "路况"
 * reply reads it. Notices are written by the admin publishing workflow.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { LatestNotice, NoticeFeed } from '../../core/conversation.ts';

const FeedItem = z.object({
  kind: z.string(),
  status: z.string(),
  title: z.string(),
  shortBody: z.string(),
  publishedAt: z.string(),
  effectiveTo: z.string().nullable().optional(),
});

export class DynamoNoticeFeed implements NoticeFeed {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;
  constructor(doc: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()) {
    this.doc = doc;
    this.table = table;
    this.now = now;
  }

  async latestRoadCondition(city: string): Promise<LatestNotice | undefined> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': `FEED#${city}` },
        ScanIndexForward: false,
        Limit: 25,
      }),
    );
    const now = this.now().toISOString();
    for (const raw of res.Items ?? []) {
      const item = FeedItem.safeParse(raw);
      if (!item.success) continue;
      const n = item.data;
      if (n.status !== 'published' || !['road-condition', 'traffic-control'].includes(n.kind)) continue;
      if (n.effectiveTo && n.effectiveTo < now) continue;
      return { title: n.title, summary: n.shortBody, publishedAt: n.publishedAt };
    }
    return undefined;
  }
}
