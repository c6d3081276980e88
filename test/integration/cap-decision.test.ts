/**
 * One cap, decided in two forms: the pure `capDecision` the previews use and the ledger's ONE
 * conditional write that delivery makes. For any ledger state (counts today and the routine pushes of
 * the 6 days before, push keys already on the day) and any policy, the preview's verdict equals what
 * the write does on DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { DynamoPushLedger } from '../../functions/adapters/dynamodb/push-ledger.ts';
import { capDecision, capRequest, type LedgerState } from '../../functions/core/pushes/cap.ts';
import { addDays } from '../../functions/core/time.ts';
import { blueprintInput, defineBlueprint } from '../../lib/blueprint.ts';
import { ensureTables, localClient, localTableName } from '../../lib/local/dynamodb-local.ts';
import { DEFAULT_POLICY, type FrequencyPolicy } from '../../schemas/pushes.ts';
import { PUSH_CATEGORIES } from '../../schemas/vocabulary.ts';

const bp = defineBlueprint({ ...blueprintInput, service: `cap-${randomUUID().slice(0, 8)}` });
const client = localClient(inject('dynamodbEndpoint'));
const doc = DynamoDBDocumentClient.from(client);
const table = localTableName(bp.service, 'ledger');
const ledger = new DynamoPushLedger(doc, table);
const sendAt = new Date('2026-11-16T02:00:00Z'); // 10:00 in Shanghai, a Monday
const today = '2026-11-16';

beforeAll(async () => {
  await ensureTables(client, bp);
});

const limits = fc.record({
  restriction: fc.integer({ min: 0, max: 3 }),
  routine: fc.integer({ min: 0, max: 3 }),
  transactional: fc.integer({ min: 0, max: 3 }),
  emergency: fc.integer({ min: 0, max: 3 }),
  desk: fc.integer({ min: 0, max: 3 }),
});
const policyArb = fc.record({ wechat: limits, week: fc.integer({ min: 0, max: 6 }) }).map(
  ({ wechat, week }): FrequencyPolicy => ({
    ...DEFAULT_POLICY,
    channels: {
      ...DEFAULT_POLICY.channels,
      wechat: { ...DEFAULT_POLICY.channels.wechat, perDay: wechat, routinePer7Days: week },
    },
  }),
);
const stateArb = fc.record({
  day: fc.record({
    restriction: fc.integer({ min: 0, max: 4 }),
    routine: fc.integer({ min: 0, max: 4 }),
    transactional: fc.integer({ min: 0, max: 4 }),
    emergency: fc.integer({ min: 0, max: 4 }),
    desk: fc.integer({ min: 0, max: 4 }),
  }),
  /** Routine pushes on each of the 6 days before. */
  before: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
  /** Whether this very push is already on today's ledger. */
  alreadyThere: fc.boolean(),
});

describe('capDecision equals the ledger’s conditional write', () => {
  it('for any ledger state, policy and category (DynamoDB Local, fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb,
        stateArb,
        fc.constantFrom(...PUSH_CATEGORIES),
        async (policy, state, category) => {
          const id = `o-${randomUUID()}`;
          const pushKey = `${category}#${randomUUID()}`;
          const existing = state.alreadyThere ? ['other#key', pushKey] : ['other#key'];
          // The ledger as delivery left it: today's counters and keys, the routine days before.
          await doc.send(
            new PutCommand({
              TableName: table,
              Item: {
                ...keys.ledgerDay('wechat', id, today),
                keys: new Set(existing),
                c_restriction: state.day.restriction,
                c_routine: state.day.routine,
                c_transactional: state.day.transactional,
                c_emergency: state.day.emergency,
                c_desk: state.day.desk,
                // A settled reason, so an existing key reads as a finished push (not one in flight).
                ...(state.alreadyThere ? { [`s:${pushKey}`]: 'sent' } : {}),
              },
            }),
          );
          for (const [i, n] of state.before.entries())
            await doc.send(
              new PutCommand({
                TableName: table,
                Item: { ...keys.ledgerDay('wechat', id, addDays(today, -(i + 1))), c_routine: n },
              }),
            );
          const req = capRequest(policy, 'wechat', category, sendAt);
          const ledgerState: LedgerState = {
            day: state.day,
            routineBefore: state.before.reduce((a, b) => a + b, 0),
            keys: existing,
          };
          const verdict = capDecision(req, pushKey, ledgerState);
          const meta = { category, runKey: 'run', bundle: 'bundle' };
          const written = await ledger.reserve('wechat', id, pushKey, req, meta, sendAt.getTime());
          const asVerdict = written === 'reserved' ? 'send' : written === 'capped' ? 'capped' : 'duplicate';
          expect(asVerdict).toBe(verdict);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('and for a subscriber nobody has pushed to yet', async () => {
    for (const category of PUSH_CATEGORIES) {
      const req = capRequest(DEFAULT_POLICY, 'wechat', category, sendAt);
      const meta = { category, runKey: 'run', bundle: 'bundle' };
      const written = await ledger.reserve('wechat', `o-${randomUUID()}`, 'k', req, meta, sendAt.getTime());
      expect(written === 'reserved' ? 'send' : written).toBe(capDecision(req, 'k', undefined));
    }
  });
});
