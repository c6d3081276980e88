/**
 * The subscriber's day ledger: the cap decision and the de-duplication in ONE conditional write,
 * made immediately before the provider call —
 *   ADD keys {pushKey}, c_<class> 1   IF pushKey not in keys AND c_<class> < dayLimit
 *                                     [AND c_routine < allowance, for routine pushes]
 * allowance = the routine limit over 7 days minus the previous 6 days' routine pushes, read just before
 * (those days no longer change), so a policy change applies at once. This is the rule
 * core/pushes/cap.ts `capDecision` states; a property test holds the two equal. Per push key the item holds `r:<key>` = `<reserved at ms>|<category>|<run>|<bundle>`
 * (what unfollow attribution reads) and, only when the push did not go out, `s:<key>` (the reason).
 *
 * One write per successful push: successes are not settled one by one. Each delivery bundle writes one
 * receipt (`RECEIPT#<bundle>`, an attribute per recipient) when it finishes, so a redelivery can tell
 * "already done" (in a receipt, or settled: duplicate) from "reserved but never confirmed" (a crash
 * between reservation and send: unknown-outcome) — and in neither case sends again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Earlier, PushLedger, Reservation } from '../../core/delivery/ports.ts';
import {
  type CapRequest,
  parseReservation,
  type ReservationMeta,
  reservationValue,
} from '../../core/pushes/cap.ts';
import { addDays, civilDate } from '../../core/time.ts';
import type { Channel } from '../../core/vocabulary.ts';
import { keys } from './keys.ts';
import { ttlFloor } from './ttl.ts';

/**
 * A reservation younger than this, neither settled nor in its bundle's receipt, may still be sending
 * (a concurrent copy of the bundle): duplicate. Older, its invocation is over — it exceeds the deliver
 * functions' timeout (60 s) and is below their queues' visibility timeout (120 s), after which SQS
 * redelivers a bundle whose invocation died — so it was a crash between reservation and send:
 * unknown-outcome. (test/unit/blueprint.test.ts holds the blueprint to these bounds.)
 */
export const IN_FLIGHT_MS = 90_000;

/** Receipts outlive any redelivery of their bundle (SQS retention is one day, deferral up to a night). */
const RECEIPT_DAYS = 3;

/** Ledger items live a little longer than the 7-day window they feed. */
const LEDGER_DAYS = 9;

/** A push reserved on a person's ledger, and how it was settled (absent: sent, or not yet known). */
export interface LedgerReservation extends ReservationMeta {
  reservedAt: number;
  settled: string | undefined;
}

/**
 * The pushes reserved for a person on their day ledgers of `at`'s day and the day before (Asia/
 * Shanghai): what unfollow attribution and receipt matching look back over.
 */
export async function recentReservations(
  doc: DynamoDBDocumentClient,
  ledgerTable: string,
  channel: Channel,
  id: string,
  at: Date,
): Promise<LedgerReservation[]> {
  const today = civilDate(at);
  const res = await doc.send(
    new QueryCommand({
      TableName: ledgerTable,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.ledgerPartition(channel, id),
        ':from': addDays(today, -1),
        ':to': today,
      },
    }),
  );
  return (res.Items ?? []).flatMap((item) =>
    Object.entries(item)
      .filter(([k]) => k.startsWith('r:'))
      .flatMap(([k, v]) => {
        const r = parseReservation(v);
        const settled = item[`s:${k.slice(2)}`];
        return r ? [{ ...r, settled: typeof settled === 'string' ? settled : undefined }] : [];
      }),
  );
}

/**
 * The receipt write: `o:<id>` per recipient and the receipt's TTL. With `unrecorded`, only if none of
 * these recipients is recorded yet (a concurrent copy of the bundle may have been first).
 */
export function receiptUpdate(
  table: string,
  bundle: string,
  outcomes: ReadonlyMap<string, string>,
  nowMs: number,
  { unrecorded }: { unrecorded: boolean },
) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':ttl': ttlFloor(Math.floor(nowMs / 1000) + RECEIPT_DAYS * 86_400),
  };
  const sets = ['expiresAt = if_not_exists(expiresAt, :ttl)'];
  [...outcomes].forEach(([id, outcome], i) => {
    names[`#o${i}`] = `o:${id}`;
    values[`:o${i}`] = outcome;
    sets.push(`#o${i} = :o${i}`);
  });
  return {
    TableName: table,
    Key: keys.receipt(bundle),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ...(unrecorded
      ? {
          ConditionExpression: Object.keys(names)
            .map((n) => `attribute_not_exists(${n})`)
            .join(' AND '),
        }
      : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * What a push already on a ledger means for this bundle's entry: settled by an earlier attempt of
 * this bundle (or skipped for the person's status, which holds for every entry), reserved by another
 * entry of the push, or reserved by this bundle and not settled (a copy still sending, or a send that
 * succeeded: a success is never settled on the ledger, it is in the receipt).
 */
export function earlierOf(reserved: unknown, settled: unknown, bundle: string): Earlier {
  const r = parseReservation(reserved);
  if (typeof settled === 'string' && (!r || r.bundle === bundle))
    return { kind: 'this-bundle', value: settled };
  if (r && r.bundle !== bundle) return { kind: 'elsewhere' };
  return { kind: 'in-flight' };
}

export class DynamoPushLedger implements PushLedger {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  /** Consumed write/read capacity units, for the run's cost report. */
  consumed = { read: 0, write: 0 };

  private readonly inFlightMs: number;

  constructor(doc: DynamoDBDocumentClient, table: string, options: { inFlightMs?: number } = {}) {
    this.doc = doc;
    this.table = table;
    this.inFlightMs = options.inFlightMs ?? IN_FLIGHT_MS;
  }

  private async routineBefore(channel: Channel, id: string, date: string): Promise<number> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.ledgerPartition(channel, id),
          ':from': addDays(date, -6),
          ':to': addDays(date, -1),
        },
        ProjectionExpression: 'c_routine',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.consumed.read += res.ConsumedCapacity?.CapacityUnits ?? 0;
    return (res.Items ?? []).reduce((n, i) => n + (Number(i.c_routine) || 0), 0);
  }

  /**
   * @param inFlightMs a reservation younger than this without a settled outcome may still be
   *   sending elsewhere (a concurrent duplicate delivery): reported as duplicate. Older than the
   *   longest a delivery can run, it was a crash between reservation and send: unknown-outcome.
   */
  async reserve(
    channel: Channel,
    id: string,
    pushKey: string,
    req: CapRequest,
    meta: ReservationMeta,
    nowMs = Date.now(),
    inFlightMs = this.inFlightMs,
  ): Promise<Reservation> {
    let allowance: number | null = null;
    if (req.weekLimit !== null) allowance = req.weekLimit - (await this.routineBefore(channel, id, req.date));
    // No room at all today: nothing to write, but a push already on the ledger is still a duplicate.
    if (req.dayLimit <= 0 || (allowance !== null && allowance <= 0))
      return this.alreadyThere(channel, id, req.date, pushKey, nowMs, inFlightMs);
    const counter = `c_${req.klass}`;
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.ledgerDay(channel, id, req.date),
          UpdateExpression:
            'ADD #keys :keySet, #c :one SET #r = :now, expiresAt = if_not_exists(expiresAt, :ttl)',
          // The 7-day routine window: today's count below what the 6 days before left of the limit.
          ConditionExpression: `(attribute_not_exists(#keys) OR NOT contains(#keys, :key)) AND (attribute_not_exists(#c) OR (#c < :limit${
            allowance !== null ? ' AND #c < :allow' : ''
          }))`,
          ExpressionAttributeNames: { '#keys': 'keys', '#c': counter, '#r': `r:${pushKey}` },
          ExpressionAttributeValues: {
            ':keySet': new Set([pushKey]),
            ':key': pushKey,
            ':one': 1,
            ':limit': req.dayLimit,
            ':now': reservationValue(meta, nowMs),
            ':ttl': ttlFloor(
              Math.floor(Date.parse(`${req.date}T00:00:00+08:00`) / 1000) + LEDGER_DAYS * 86_400,
            ),
            ...(allowance !== null ? { ':allow': allowance } : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.consumed.write += res.ConsumedCapacity?.CapacityUnits ?? 0;
      return 'reserved';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      this.consumed.write += 1; // a failed conditional write still consumes
      const old = error.Item as Record<string, { SS?: string[]; N?: string; S?: string }> | undefined;
      if (!old?.keys?.SS?.includes(pushKey)) return 'capped';
      const settled = old[`s:${pushKey}`] !== undefined;
      const r = old[`r:${pushKey}`];
      return this.seenBefore(
        id,
        settled,
        r?.S ?? (r?.N !== undefined ? Number(r.N) : undefined),
        nowMs,
        inFlightMs,
      );
    }
  }

  /** A push already on the ledger: duplicate, unless it was reserved long ago and never confirmed. */
  private async seenBefore(
    id: string,
    settled: boolean,
    reserved: unknown,
    nowMs: number,
    inFlightMs: number,
  ): Promise<Reservation> {
    if (settled) return 'duplicate';
    const reservation = parseReservation(reserved);
    if (reservation?.bundle && (await this.inReceipt(reservation.bundle, id))) return 'duplicate';
    return nowMs - (reservation?.reservedAt ?? 0) < inFlightMs ? 'duplicate' : 'unknown-outcome';
  }

  /** With no room to reserve: is this push on the day's ledger already (duplicate), or capped? */
  private async alreadyThere(
    channel: Channel,
    id: string,
    date: string,
    pushKey: string,
    nowMs: number,
    inFlightMs: number,
  ): Promise<Reservation> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.ledgerDay(channel, id, date),
        ProjectionExpression: '#keys, #s, #r',
        ExpressionAttributeNames: { '#keys': 'keys', '#s': `s:${pushKey}`, '#r': `r:${pushKey}` },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.consumed.read += res.ConsumedCapacity?.CapacityUnits ?? 0;
    const item = res.Item;
    if (!(item?.keys instanceof Set) || !item.keys.has(pushKey)) return 'capped';
    return this.seenBefore(id, item[`s:${pushKey}`] !== undefined, item[`r:${pushKey}`], nowMs, inFlightMs);
  }

  /** What the bundle's earlier attempts finished: recipient id → recorded outcome. */
  async receipt(bundle: string): Promise<Map<string, string>> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.receipt(bundle),
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.consumed.read += res.ConsumedCapacity?.CapacityUnits ?? 0;
    return new Map(
      Object.entries(res.Item ?? {})
        .filter(([k]) => k.startsWith('o:'))
        .map(([k, v]) => [k.slice(2), String(v)]),
    );
  }

  private async inReceipt(bundle: string, id: string): Promise<boolean> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.receipt(bundle),
        ProjectionExpression: '#o',
        ExpressionAttributeNames: { '#o': `o:${id}` },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.consumed.read += res.ConsumedCapacity?.CapacityUnits ?? 0;
    return res.Item !== undefined && res.Item[`o:${id}`] !== undefined;
  }

  /**
   * The bundle's receipt: what happened to each recipient this attempt finished (`sent:<msgid>`,
   * a failure, a skip), in one write for the whole bundle.
   */
  async recordReceipt(
    bundle: string,
    outcomes: ReadonlyMap<string, string>,
    nowMs = Date.now(),
  ): Promise<void> {
    if (outcomes.size === 0) return;
    const res = await this.doc.send(
      new UpdateCommand({
        ...receiptUpdate(this.table, bundle, outcomes, nowMs, { unrecorded: false }),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.consumed.write += res.ConsumedCapacity?.CapacityUnits ?? 0;
  }

  async earlier(
    channel: Channel,
    id: string,
    date: string,
    pushKey: string,
    bundle: string,
  ): Promise<Earlier> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.ledgerDay(channel, id, date),
        ProjectionExpression: '#s, #r',
        ExpressionAttributeNames: { '#s': `s:${pushKey}`, '#r': `r:${pushKey}` },
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.consumed.read += res.ConsumedCapacity?.CapacityUnits ?? 0;
    return earlierOf(res.Item?.[`r:${pushKey}`], res.Item?.[`s:${pushKey}`], bundle);
  }

  /**
   * Records that a push was not attempted (the subscriber had opted out, unfollowed, …) without
   * counting against the cap, so a redelivery of the same message is a duplicate, not counted twice.
   */
  async skip(
    channel: Channel,
    id: string,
    date: string,
    pushKey: string,
    reason: string,
  ): Promise<'skipped' | 'duplicate'> {
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.ledgerDay(channel, id, date),
          UpdateExpression: 'ADD #keys :keySet SET #s = :reason, expiresAt = if_not_exists(expiresAt, :ttl)',
          ConditionExpression: 'attribute_not_exists(#keys) OR NOT contains(#keys, :key)',
          ExpressionAttributeNames: { '#keys': 'keys', '#s': `s:${pushKey}` },
          ExpressionAttributeValues: {
            ':keySet': new Set([pushKey]),
            ':key': pushKey,
            ':reason': `skipped:${reason}`,
            ':ttl': ttlFloor(Math.floor(Date.parse(`${date}T00:00:00+08:00`) / 1000) + LEDGER_DAYS * 86_400),
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.consumed.write += res.ConsumedCapacity?.CapacityUnits ?? 0;
      return 'skipped';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      this.consumed.write += 1;
      return 'duplicate';
    }
  }

  /**
   * Gives back a reservation whose push was certainly not sent (stopped before the provider call,
   * e.g. by the SMS budget): the key and the counted unit are removed, as if never reserved.
   */
  async release(channel: Channel, id: string, date: string, pushKey: string, klass: string): Promise<void> {
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.ledgerDay(channel, id, date),
        UpdateExpression: 'DELETE #keys :keySet ADD #c :minus REMOVE #r',
        ConditionExpression: 'contains(#keys, :key)',
        ExpressionAttributeNames: { '#keys': 'keys', '#c': `c_${klass}`, '#r': `r:${pushKey}` },
        ExpressionAttributeValues: { ':keySet': new Set([pushKey]), ':key': pushKey, ':minus': -1 },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.consumed.write += res.ConsumedCapacity?.CapacityUnits ?? 0;
  }

  /** Records why a reserved push did not go out (a failure code, unknown-outcome). */
  async settle(channel: Channel, id: string, date: string, pushKey: string, outcome: string): Promise<void> {
    const res = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.ledgerDay(channel, id, date),
        UpdateExpression: 'SET #s = :o',
        ExpressionAttributeNames: { '#s': `s:${pushKey}` },
        ExpressionAttributeValues: { ':o': outcome },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.consumed.write += res.ConsumedCapacity?.CapacityUnits ?? 0;
  }
}
