/** What SMS costs and where it stops: the month a spend counts against, the price, the gateways' caps. */
import type { SmsProvider } from '../../../schemas/sms.ts';
import { civilDate } from '../time.ts';

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
