/**
 * The SMS budget: what a message costs, the month its cost counts against, and `sendWithinBudget`,
 * the one place money is taken — before the gateway is called, given back when it did not send,
 * kept when the outcome is unknown (it may have gone out and been billed). Pushes (core/delivery/sms.ts)
 * and replies to citizens (./replies.ts) both send through it.
 */
import type { SmsProvider } from '../../../schemas/sms.ts';
import type { Clock } from '../time.ts';
import { civilDate } from '../time.ts';
import type { RenderedSms } from './messages.ts';
import { maskPhone } from './numbers.ts';
import type { SendResult, SmsBudget, SmsGateway, SmsMessages } from './ports.ts';

/** The month (Asia/Shanghai) a send's cost counts against: `2026-11`. */
export const budgetMonth = (now: Date) => civilDate(now).slice(0, 7);

/** What a send costs, in fen. */
export const costFen = (parts: number, pricePerPartFen: number) => parts * pricePerPartFen;

/** The per-number daily caps the gateways document (notify.md §4.1–§4.2); ours must be stricter. */
export const GATEWAY_NUMBER_DAILY_CAP: Record<SmsProvider, number | null> = {
  // Tencent's default: 2 a number a calendar day (changeable in the console).
  tencent: 2,
  // Aliyun: 50 a day per signature + template + number (rolling 24 h).
  aliyun: 50,
  sns: null,
};

export interface SmsSendDeps {
  gateway: SmsGateway;
  budget: SmsBudget;
  messages: SmsMessages;
  clock: Clock;
  settings: { budgetFen: number; pricePerPartFen: number };
  /** Structured, masked log lines and metrics (Powertools in the functions, spies in tests). */
  log: (level: 'info' | 'warn', message: string, details: Record<string, unknown>) => void;
  metric: (
    name: 'SmsBudgetExhausted' | 'SmsSent' | 'SmsConfigErrors' | 'SmsUnknownOutcome',
    n?: number,
  ) => void;
}

export type SendOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'budget' | 'capped' | 'provider-permanent' | 'failed' | 'unknown-outcome'; code: string };

/**
 * Budget, then the gateway, then the delivery record. `meta` goes on the delivery record (push and
 * run keys for pushes; null for replies).
 */
export async function sendWithinBudget(
  to: { phone: string; subscriberId: string },
  message: RenderedSms,
  meta: { pushKey: string | null; runKey: string | null; reference: string },
  deps: SmsSendDeps,
): Promise<SendOutcome> {
  const now = deps.clock.now();
  const month = budgetMonth(now);
  const cost = costFen(message.parts, deps.settings.pricePerPartFen);
  if (!(await deps.budget.take(month, cost, deps.settings.budgetFen))) {
    deps.metric('SmsBudgetExhausted');
    deps.log('warn', 'SMS budget reached: not sent', { month, costFen: cost, kind: message.kind });
    return { outcome: 'budget', code: 'budget' };
  }
  let result: SendResult;
  try {
    result = await deps.gateway.send({ phone: to.phone, message, reference: meta.reference });
  } catch (error) {
    result = { status: 'unknown', code: (error instanceof Error && error.name) || 'error' };
  }
  const details = { to: maskPhone(to.phone), kind: message.kind, provider: deps.gateway.provider };
  if (result.status === 'sent') {
    await deps.messages.record({
      provider: deps.gateway.provider,
      messageId: result.messageId,
      subscriberId: to.subscriberId,
      kind: message.kind,
      pushKey: meta.pushKey,
      runKey: meta.runKey,
      parts: message.parts,
      costFen: cost,
      sentAt: deps.clock.now().toISOString(),
    });
    deps.metric('SmsSent');
    deps.log('info', 'SMS sent', { ...details, parts: message.parts, messageId: result.messageId });
    return { outcome: 'sent', messageId: result.messageId };
  }
  if (result.status === 'unknown') {
    // It may have gone out and been billed: keep the budget taken, never send again.
    deps.metric('SmsUnknownOutcome');
    deps.log('warn', 'SMS outcome unknown; not retried', { ...details, code: result.code });
    return { outcome: 'unknown-outcome', code: result.code };
  }
  await deps.budget.refund(month, cost);
  if (result.status === 'failed' && result.configuration) deps.metric('SmsConfigErrors');
  deps.log('warn', 'SMS not sent', { ...details, status: result.status, code: result.code });
  const outcome =
    result.status === 'rate-limited'
      ? 'capped'
      : result.status === 'permanent'
        ? 'provider-permanent'
        : 'failed';
  return { outcome, code: result.code };
}

/** A month's SMS spend against the ceiling, as operators read it (GET /v1/admin/sms/budget, the stats). */
export async function budgetReport(
  month: string,
  deps: {
    budget: Pick<SmsBudget, 'spent'>;
    settings: { provider: SmsProvider; budgetFen: number; pricePerPartFen: number };
  },
) {
  const { spentFen } = await deps.budget.spent(month);
  const { provider, budgetFen, pricePerPartFen } = deps.settings;
  return {
    month,
    provider,
    ceilingFen: budgetFen,
    spentFen,
    remainingFen: Math.max(0, budgetFen - spentFen),
    pricePerPartFen,
    exhausted: budgetFen - spentFen < pricePerPartFen,
  };
}
