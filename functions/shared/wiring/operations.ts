/** Wiring: what the operators' reports read (report-operations, manage-sms). */

import { DynamoAudience } from '../../adapters/dynamodb/audience.ts';
import { auditEntries } from '../../adapters/dynamodb/audit-log.ts';
import { DynamoSmsBudget } from '../../adapters/dynamodb/sms.ts';
import { DynamoSubscriberRepository } from '../../adapters/dynamodb/subscribers.ts';
import { ledgerPushes } from '../../adapters/dynamodb/support.ts';
import type { SubscriberRef } from '../../core/operations/support.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { tableName } from '../config.ts';
import { settings } from './sms.ts';

/** The month's SMS spend against the ceiling (core/sms/budget.ts budgetReport). */
export const smsBudgetDeps = () => ({
  budget: new DynamoSmsBudget(documentClient, tableName('operations')),
  settings,
});

/** Followers, the support view, the audit trail. */
export const reportDeps = () => ({
  subscribers: new DynamoSubscriberRepository(documentClient, tableName('subscribers')),
  audience: new DynamoAudience(documentClient, { subscribers: tableName('subscribers') }),
  audit: (range: Parameters<typeof auditEntries>[2], actor?: string) =>
    auditEntries(documentClient, tableName('operations'), range, actor),
  sms: smsBudgetDeps(),
  ledger: (ref: SubscriberRef) => ledgerPushes(documentClient, tableName('ledger'), ref),
});
