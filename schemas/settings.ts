/**
 * Each function's settings as its environment carries them. The values — and so the defaults — are
 * in the function's blueprint entry (lib/blueprint.ts `environment`); these schemas only validate,
 * so a value missing from the blueprint fails the function's init with the variable's name.
 */
import * as z from 'zod';
import { MAX_RATE_PER_INVOCATION } from './pushes.ts';
import { CityCodeSchema } from './restrictions.ts';
import { ChannelSchema } from './vocabulary.ts';

const positive = z.coerce.number().positive();
/**
 * A WeChat rate per delivery invocation: what the run's messages may carry (schemas/pushes.ts), so a
 * larger setting fails the function's init instead of planning segments their expander refuses.
 */
const perInvocation = z.coerce.number().int().min(1).max(MAX_RATE_PER_INVOCATION);
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((p) => p.trim()) : v), z.array(item).min(1));

/** deliver-wechat: pacing under WeChat's limits (each account's daily template quota is its configuration). */
export const DeliverWeChatSettingsSchema = z
  .object({
    /** Template sends per second per invocation; × the queue's maximum concurrency = the run's rate. */
    PUSH_RATE_PER_SECOND: perInvocation,
    /** The most a run's planned rate (deadline pacing) may ask of one invocation. */
    PUSH_MAX_RATE_PER_SECOND: perInvocation,
    /** Template sends in flight at once per invocation (WeChat answers in ~100–300 ms). */
    PUSH_CONCURRENCY: count(1, 50),
  })
  .transform((e) => ({
    ratePerSecond: e.PUSH_RATE_PER_SECOND,
    maxRatePerSecond: Math.max(e.PUSH_RATE_PER_SECOND, e.PUSH_MAX_RATE_PER_SECOND),
    concurrency: e.PUSH_CONCURRENCY,
  }));

/** plan-restriction-push, manage-pushes: what a run is paced with to arrive by its deadline (core/pushes/deadline.ts). */
export const PushPlanningSettingsSchema = z
  .object({
    PUSH_RATE_PER_SECOND: perInvocation,
    PUSH_MAX_RATE_PER_SECOND: perInvocation,
    PUSH_DELIVERY_CONCURRENCY: count(1, 1000),
    PUSH_MAX_TOTAL_RATE: positive,
    PUSH_DEADLINE_MARGIN_MINUTES: count(0, 120),
    /** When the slots' schedules start the runs (lib/blueprint.ts SLOT_STARTS): what a dry run plans from. */
    PUSH_MORNING_START: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM'),
    PUSH_EVENING_START: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM'),
  })
  .transform((e) => ({
    starts: { morning: e.PUSH_MORNING_START, evening: e.PUSH_EVENING_START },
    ratePerInvocation: e.PUSH_RATE_PER_SECOND,
    maxRatePerInvocation: Math.max(e.PUSH_RATE_PER_SECOND, e.PUSH_MAX_RATE_PER_SECOND),
    concurrency: e.PUSH_DELIVERY_CONCURRENCY,
    maxTotalRate: e.PUSH_MAX_TOTAL_RATE,
    marginMinutes: e.PUSH_DEADLINE_MARGIN_MINUTES,
  }));

/** deliver-sms: pacing under the gateway's limits. */
export const DeliverSmsSettingsSchema = z
  .object({ SMS_RATE_PER_SECOND: positive, SMS_CONCURRENCY: count(1, 20) })
  .transform((e) => ({ ratePerSecond: e.SMS_RATE_PER_SECOND, concurrency: e.SMS_CONCURRENCY }));

/** expand-segment: bundle size and the page size of fan-out Queries and Scans. */
export const ExpandSettingsSchema = z
  .object({ PUSH_BUNDLE_SIZE: count(1, 50), EXPAND_PAGE_SIZE: count(3, 1000) })
  .transform((e) => ({ bundleSize: e.PUSH_BUNDLE_SIZE, pageSize: e.EXPAND_PAGE_SIZE }));

/** plan-notice-push: the channels with a deliver queue, and how many Scan segments a notice run uses. */
export const NoticePlanningSettingsSchema = z
  .object({ PUSH_CHANNELS: csv(ChannelSchema), NOTICE_SCAN_SEGMENTS: count(1, 64) })
  .transform((e) => ({ delivered: new Set(e.PUSH_CHANNELS), scanSegments: e.NOTICE_SCAN_SEGMENTS }));

const servedCities = csv(CityCodeSchema);

/** The conversation (WeChat, SMS): the cities with reminder schedules — only those are promised one. */
export const ReminderSettingsSchema = z
  .object({ SERVED_CITIES: servedCities })
  .transform((e) => ({ reminderCities: new Set(e.SERVED_CITIES) as ReadonlySet<string> }));

/** check-restriction-coverage: the served cities and how many days ahead to look. */
export const CoverageSettingsSchema = z
  .object({ SERVED_CITIES: servedCities, COVERAGE_DAYS: count(1, 366) })
  .transform((e) => ({ cities: e.SERVED_CITIES, days: e.COVERAGE_DAYS }));

/** Functions that read restriction data: how long a container reuses what it read. */
export const RestrictionDataSettingsSchema = z
  .object({ RESTRICTION_DATA_CACHE_SECONDS: count(0, 3600) })
  .transform((e) => ({ cacheMs: e.RESTRICTION_DATA_CACHE_SECONDS * 1000 }));

/** The conversation's 路况: how long a city's road-condition candidates are reused (0: read every time). */
export const NoticeFeedSettingsSchema = z
  .object({ NOTICE_FEED_CACHE_SECONDS: count(0, 300) })
  .transform((e) => ({ cacheMs: e.NOTICE_FEED_CACHE_SECONDS * 1000 }));

/** receive-wechat: the freshness window of a request's timestamp (0 disables it). */
export const WeChatWebhookSettingsSchema = z
  .object({ WECHAT_MAX_SKEW_S: count(0, 86_400) })
  .transform((e) => ({ maxSkewSeconds: e.WECHAT_MAX_SKEW_S }));

/** The service desk: how long cases are kept (days) and how long managed content is reused (seconds). */
export const DeskSettingsSchema = z
  .object({ DESK_RETENTION_DAYS: count(1, 3650), CONTENT_CACHE_SECONDS: count(0, 3600) })
  .transform((e) => ({
    retentionDays: e.DESK_RETENTION_DAYS,
    contentCacheMs: e.CONTENT_CACHE_SECONDS * 1000,
  }));

/** send-desk-answer: how long a case page link stays valid (days). */
export const CaseLinkSettingsSchema = z
  .object({ CASE_LINK_DAYS: count(1, 365) })
  .transform((e) => ({ linkDays: e.CASE_LINK_DAYS }));

/** fetch-desk-media: the largest photo and voice message kept (bytes). */
export const DeskMediaSettingsSchema = z
  .object({ DESK_MAX_IMAGE_BYTES: count(1, 20_000_000), DESK_MAX_VOICE_BYTES: count(1, 20_000_000) })
  .transform((e) => ({ maxImageBytes: e.DESK_MAX_IMAGE_BYTES, maxVoiceBytes: e.DESK_MAX_VOICE_BYTES }));

/** receive-12345: the freshness window of the platform's timestamps. */
export const PlatformSettingsSchema = z
  .object({ PLATFORM_MAX_SKEW_S: count(1, 3600) })
  .transform((e) => ({ maxSkewSeconds: e.PLATFORM_MAX_SKEW_S }));

/** Stalled runs (manage-pushes reports them, resume-push-runs resumes them). */
export const RunRecoverySettingsSchema = z
  .object({ PUSH_STALL_AFTER_SECONDS: count(60, 86_400), PUSH_MAX_AUTO_RESUMES: count(0, 100) })
  .transform((e) => ({
    stallAfterMs: e.PUSH_STALL_AFTER_SECONDS * 1000,
    maxAutoResumes: e.PUSH_MAX_AUTO_RESUMES,
  }));

/** report-wechat-quota: the daily template quota deliver-wechat counts against (the same value). */
export const WeChatQuotaSettingsSchema = z
  .object({ WECHAT_DAILY_TEMPLATE_QUOTA: count(1, 100_000_000) })
  .transform((e) => ({ dailyTemplateQuota: e.WECHAT_DAILY_TEMPLATE_QUOTA }));
