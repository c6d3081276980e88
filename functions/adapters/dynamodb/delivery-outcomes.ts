/**
 * What WeChat reports about a template message after sending it (TEMPLATESENDJOBFINISH), keyed by
 * the msgid WeChat returned when the push was sent, so the push that sent it can be credited with
 * its real outcome: `success`, `failed:user block`, `failed: system failed`.
 */
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

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
