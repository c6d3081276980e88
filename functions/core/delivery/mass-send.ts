/**
 * A notice for an account that cannot send template messages (a 公众号, formerly 订阅号: the officers'
 * internal account) goes out as an article mass send (群发): a draft of the article, then the draft
 * sent to the account's followers or one tag. The platform allows such an account one mass send a
 * day (`massSend.dailyAllowance`), so the day's sends are claimed first; the notice is the version
 * that was reviewed and published. Per-follower ledgers do not apply: WeChat does not say who gets
 * a mass send; the allowance is its cap.
 *
 * Primary course of sendNoticeAsArticle (one `wechat-mass-sends` job per run and account):
 *  1. the notice as stored: still published at that version, else nothing is sent (`skipped`);
 *  2. the account: a subscription account with massSend configured, else the run records why;
 *  3. one of the day's mass sends claimed for this run (a second job for the run finds its claim and
 *     carries on; a send already done ends here); none left → `held`, with which runs used them;
 *  4. the draft (its media id kept on the claim, so a retry does not draft again), then the send with
 *     a deterministic clientmsgid (WeChat answers 45065 to a repeat: it went out);
 *  5. the run records it, once per account: `mass-send:sent` (or why not; a send an earlier attempt
 *     made but did not record is recorded as sent), and a refused send gives the day's send back.
 * The run waits for every planned mass send's record before it ends; a job that never got one (lost,
 * dead-lettered) is sent for again by the run's resume (functions/core/pushes/resume.ts).
 */
import { createHash } from 'node:crypto';
import type { Notice } from '../../../schemas/notices.ts';
import type { MassSendJob, WeChatAccount } from '../../../schemas/wechat.ts';
import { noticeBodyHtml } from '../notices/page.ts';
import { type Clock, civilDate } from '../time.ts';
import { noticePageUrl } from '../wechat/templates.ts';
import { RetryLater } from './async-reply.ts';
import type { MassSendResult, RunLog, Telemetry, WeChatSendResult } from './ports.ts';

/** The run's record of its planned mass sends (functions/adapters/dynamodb/push-runs.ts). */
export interface MassSendLog {
  /**
   * Records the account's mass-send result on the run once, counting `mass-send:<result>`; a second
   * record for the same run and account changes nothing (returns false).
   */
  recordMassSend(runKey: string, accountId: string, result: MassSendResult, at: string): Promise<boolean>;
}

/** The day's mass sends of an account (operations table), claimed per run. */
export interface MassSendAllowance {
  /** Claims one of the day's `limit` sends for `runKey` (again for the same run: its claim as it stands). */
  claim(
    appId: string,
    date: string,
    runKey: string,
    limit: number,
  ): Promise<{ claimed: true; mediaId: string | null; sent: boolean } | { claimed: false; usedBy: string[] }>;
  drafted(appId: string, date: string, runKey: string, mediaId: string): Promise<void>;
  sent(appId: string, date: string, runKey: string, msgId: string): Promise<void>;
  /** Gives the run's claim back: its send certainly did not go out. */
  release(appId: string, date: string, runKey: string): Promise<void>;
}

export interface MassArticle {
  title: string;
  digest: string;
  /** The article's HTML (WeChat keeps what its editor allows: paragraphs, lists). */
  content: string;
  sourceUrl: string | null;
  thumbMediaId: string;
  author: string | null;
}

/** The WeChat calls of a mass send (functions/adapters/wechat/mass-sends.ts). */
export interface MassSender {
  addDraft(account: WeChatAccount, article: MassArticle): Promise<{ mediaId: string } | WeChatSendResult>;
  sendAll(
    account: WeChatAccount,
    send: { mediaId: string; tagId: number | null; clientMsgId: string },
  ): Promise<WeChatSendResult>;
}

export interface MassSendDeps {
  notice(id: string): Promise<Notice | undefined>;
  account(id: string): Promise<WeChatAccount | undefined>;
  cityName(city: string): Promise<string>;
  allowance: MassSendAllowance;
  wechat: MassSender;
  runs: Pick<RunLog, 'get' | 'haltChannel'> & MassSendLog;
  clock: Clock;
  telemetry: Telemetry;
}

/** Deterministic per (run, account): WeChat refuses a second mass send with the same id (45065). */
export const massClientMsgId = (runKey: string, accountId: string) =>
  createHash('sha256').update(`${runKey}#${accountId}`).digest('hex').slice(0, 32);

/** The article a notice becomes: its title, short form, facts and body; its page when it has one. */
export function noticeArticle(n: Notice, account: WeChatAccount, cityName: string): MassArticle {
  return {
    title: n.title,
    digest: n.shortBody,
    content: noticeBodyHtml(n, cityName),
    sourceUrl:
      n.audience.type !== 'internal' && account.pageBaseUrl ? noticePageUrl(account.pageBaseUrl, n.id) : null,
    thumbMediaId: account.massSend!.thumbMediaId,
    author: account.massSend!.author,
  };
}

export async function sendNoticeAsArticle(
  job: MassSendJob,
  deps: MassSendDeps,
): Promise<MassSendResult | 'already-sent'> {
  const at = () => deps.clock.now().toISOString();
  const channel = `mass:${job.accountId}`;
  const record = async (result: MassSendResult, reason: string | null) => {
    if (reason) await deps.runs.haltChannel(job.runKey, channel, reason, at());
    await deps.runs.recordMassSend(job.runKey, job.accountId, result, at());
    return result;
  };
  const run = await deps.runs.get(job.runKey);
  if (!run || run.status === 'aborted') return record('skipped', `the run is ${run?.status ?? 'gone'}`);
  const notice = await deps.notice(job.noticeId);
  if (notice?.status !== 'published' || notice.version !== job.version)
    return record(
      'skipped',
      `the notice is ${notice ? `${notice.status} at version ${notice.version}` : 'gone'}`,
    );
  const account = await deps.account(job.accountId);
  if (!account?.massSend || account.kind !== 'subscription')
    return record('failed', `account '${job.accountId}' has no mass send configured (massSend.thumbMediaId)`);

  const date = civilDate(deps.clock.now());
  const claim = await deps.allowance.claim(account.appId, date, job.runKey, account.massSend.dailyAllowance);
  if (!claim.claimed) {
    deps.telemetry.metric('WeChatMassSendsHeld');
    return record(
      'held',
      `the account's ${account.massSend.dailyAllowance} mass send(s) of ${date} were used (${claim.usedBy.join(', ')}); publish it again tomorrow or send it from the console`,
    );
  }
  // Sent by an attempt that died before recording it: recorded now (once, whichever copy gets here).
  if (claim.sent) {
    await deps.runs.recordMassSend(job.runKey, job.accountId, 'sent', at());
    return 'already-sent';
  }

  let mediaId = claim.mediaId;
  if (!mediaId) {
    const draft = await deps.wechat.addDraft(
      account,
      noticeArticle(notice, account, await deps.cityName(notice.city)),
    );
    if ('mediaId' in draft) {
      mediaId = draft.mediaId;
      await deps.allowance.drafted(account.appId, date, job.runKey, mediaId);
    } else return refused(draft, job, account, date, deps, record);
  }
  const result = await deps.wechat.sendAll(account, {
    mediaId,
    tagId: account.massSend.tagId,
    clientMsgId: massClientMsgId(job.runKey, job.accountId),
  });
  // 45065: this clientmsgid was sent before (an attempt that did not hear back): it went out.
  if (result.status === 'sent' || (result.status === 'refused' && result.refusal.errcode === 45065)) {
    await deps.allowance.sent(
      account.appId,
      date,
      job.runKey,
      result.status === 'sent' ? (result.msgid ?? '') : 'earlier',
    );
    deps.telemetry.metric('WeChatMassSends');
    return record('sent', null);
  }
  return refused(result, job, account, date, deps, record);
}

async function refused(
  result: WeChatSendResult,
  job: MassSendJob,
  account: WeChatAccount,
  date: string,
  deps: MassSendDeps,
  record: (r: MassSendResult, reason: string | null) => Promise<MassSendResult>,
): Promise<MassSendResult> {
  // Did not complete, or may succeed later: the queue tries again (the clientmsgid keeps it once).
  if (result.status === 'unknown') throw new RetryLater(result.message);
  if (result.status === 'sent') return record('sent', null);
  const { refusal } = result;
  if (refusal.action === 'retry' || refusal.action === 'token') throw new RetryLater(refusal.message);
  await deps.allowance.release(account.appId, date, job.runKey);
  deps.telemetry.metric('WeChatConfigErrors');
  deps.telemetry.log('error', 'mass send refused', { account: account.id, errcode: refusal.errcode });
  return record('failed', `WeChat ${refusal.errcode}: ${refusal.message}`);
}
