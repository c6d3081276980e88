/**
 * What WeChat reports about a template message after sending it (TEMPLATESENDJOBFINISH), keyed by
 * the msgid WeChat returned when the push was sent, so the push that sent it can be credited with
 * its real outcome: `success`, `failed:user block`, `failed: system failed`.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from './keys.ts';
import { recentReservations } from './push-ledger.ts';

export class DynamoDeliveryOutcomes {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  async record(appId: string, msgId: string, openid: string, status: string, at: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.templateOutcome(appId, msgId),
          kind: 'template-outcome',
          appId,
          msgId,
          openid,
          status,
          at,
          // Kept long enough for the push run's report and unfollow attribution.
          expiresAt: Math.floor(Date.parse(at) / 1000) + 30 * 86_400,
        },
      }),
    );
  }
}

const ReceiptValue = z.object({ o: z.string() });

/**
 * Which push run sent a template message, found from the follower's side: their day ledgers of the
 * last two days hold a reservation per push (run and bundle), and the bundle's receipt holds the
 * msgid WeChat returned (`sent:<msgid>`). Read only when WeChat reports an outcome, so pushes pay
 * nothing for it.
 */
export class DynamoTemplateReceipts {
  private readonly doc: DynamoDBDocumentClient;
  private readonly ledger: string;
  constructor(doc: DynamoDBDocumentClient, ledgerTable: string) {
    this.doc = doc;
    this.ledger = ledgerTable;
  }

  async runOf(openid: string, msgId: string, at: Date): Promise<string | null> {
    const reservations = (await recentReservations(this.doc, this.ledger, 'wechat', openid, at)).filter(
      (r) => r.runKey && r.bundle,
    );
    for (const r of reservations) {
      const receipt = await this.doc.send(
        new GetCommand({
          TableName: this.ledger,
          Key: keys.receipt(r.bundle),
          ProjectionExpression: '#o',
          ExpressionAttributeNames: { '#o': `o:${openid}` },
        }),
      );
      const recorded = ReceiptValue.safeParse({ o: receipt.Item?.[`o:${openid}`] });
      if (recorded.success && recorded.data.o === `sent:${msgId}`) return r.runKey;
    }
    return null;
  }
}
