/**
 * Notices in the content table: the record (`NOTICE#{id}` / `NOTICE`, listed by status through
 * gsi1 `NSTATUS#{status}`), its public projection once published (`NOTICE#{id}` / `FEED`, in the
 * city's feed through gsi1 `FEED#{city}`; see ./notice-feed.ts), and the announcement for the push
 * pipeline until it went out (`NOTICE#{id}` / `PUSH#{version}`, gsi1 `NPUSH#pending`). Every write
 * is the record, guarded by its version, with its audit entry and effects in ONE transaction.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  NOTICE_STATUSES,
  type Notice,
  type NoticePushMessage,
  NoticePushMessageSchema,
  NoticeSchema,
  type PublicNotice,
} from '../../../schemas/notices.ts';
import { ConflictError } from '../../core/errors.ts';
import type { NoticeEffects, NoticeStore } from '../../core/notices/workflow.ts';
import { byInstant } from '../../core/time.ts';
import type { AuditEntry } from '../../core/vocabulary.ts';
import { auditedTransaction, type PlainPut, type VersionedRecord } from './audited-write.ts';
import { keys } from './keys.ts';

const LIST_LIMIT = 100;

export function publicNotice(n: Notice): PublicNotice {
  return {
    id: n.id,
    kind: n.kind,
    status: n.status === 'withdrawn' ? 'withdrawn' : 'published',
    priority: n.priority,
    title: n.title,
    body: n.body,
    shortBody: n.shortBody,
    city: n.city,
    areas: n.areas,
    effectiveFrom: n.effectiveFrom,
    effectiveTo: n.effectiveTo,
    publishedAt: n.publishedAt!,
    withdrawnAt: n.withdrawal?.at ?? null,
    withdrawalReason: n.withdrawal?.reason ?? null,
  };
}

/** A notice as stored (strongly consistent), for readers that write nothing (the notice page). */
export async function readNotice(doc: DynamoDBDocumentClient, table: string, id: string) {
  const res = await doc.send(
    new GetCommand({ TableName: table, Key: keys.notice(id), ConsistentRead: true }),
  );
  return res.Item ? NoticeSchema.parse(res.Item) : undefined;
}

export class DynamoNoticeStore implements NoticeStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tables: { content: string; operations: string };
  constructor(doc: DynamoDBDocumentClient, tables: { content: string; operations: string }) {
    this.doc = doc;
    this.tables = tables;
  }

  get(id: string): Promise<Notice | undefined> {
    return readNotice(this.doc, this.tables.content, id);
  }

  async list(query: { status?: Notice['status']; kind?: Notice['kind'] }): Promise<Notice[]> {
    const statuses = query.status ? [query.status] : NOTICE_STATUSES;
    const pages = await Promise.all(
      statuses.map((status) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tables.content,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': keys.noticesByStatus(status) },
            ScanIndexForward: false,
            Limit: LIST_LIMIT,
          }),
        ),
      ),
    );
    return pages
      .flatMap((p) => p.Items ?? [])
      .map((i) => NoticeSchema.parse(i))
      .filter((n) => !query.kind || n.kind === query.kind)
      .sort((a, b) => byInstant(b.updatedAt, a.updatedAt))
      .slice(0, LIST_LIMIT);
  }

  async save(next: Notice, expectedVersion: number, audit: AuditEntry, effects: NoticeEffects = {}) {
    const { content, operations } = this.tables;
    const stored = { ...next, version: expectedVersion + 1, updatedAt: audit.at };
    const records: VersionedRecord[] = [
      {
        table: content,
        item: {
          ...stored,
          ...keys.notice(next.id),
          ...keys.noticeByStatus(next.status, audit.at, next.id),
          type: 'notice',
        },
        expectedVersion,
      },
    ];
    const plain: PlainPut[] = [];
    // The public feed shows only notices published to it (never an officers-only or push-only one).
    if ((next.status === 'published' || next.status === 'withdrawn') && next.channels.includes('feed')) {
      plain.push({
        table: content,
        item: {
          ...publicNotice(stored),
          ...keys.feedItem(next.id),
          ...keys.feed(next.city, next.publishedAt!, next.id),
        },
      });
    }
    if (effects.suspension) {
      records.push({
        table: content,
        item: {
          ...keys.restrictionData('suspension', effects.suspension.id),
          data: effects.suspension.value,
        },
        expectedVersion: effects.suspension.expectedVersion,
      });
    }
    if (effects.announce) {
      const m = effects.announce;
      plain.push({
        table: content,
        item: {
          ...keys.noticeAnnouncement(m.noticeId, m.version),
          gsi1pk: keys.pendingAnnouncements,
          gsi1sk: `${m.publishedAt}#${m.noticeId}`,
          message: m,
        },
      });
    }
    const ok = await auditedTransaction(this.doc, records, { table: operations, entry: audit }, plain);
    if (!ok) {
      throw new ConflictError(
        `Notice '${next.id}' (or the restriction data it changes) was changed by someone else meanwhile; reload and try again.`,
      );
    }
    return stored;
  }

  /** Announcements committed but not yet sent (a crash or an SNS error after the commit), oldest first. */
  async pendingAnnouncements(olderThan: string): Promise<NoticePushMessage[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tables.content,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :t',
        ExpressionAttributeValues: { ':p': keys.pendingAnnouncements, ':t': olderThan },
        Limit: 100,
      }),
    );
    return (res.Items ?? []).map((i) => NoticePushMessageSchema.parse(i.message));
  }

  async announcementSent(m: NoticePushMessage): Promise<void> {
    await this.doc.send(
      new DeleteCommand({
        TableName: this.tables.content,
        Key: keys.noticeAnnouncement(m.noticeId, m.version),
      }),
    );
  }
}
