/**
 * The system, as data: the single description both builders read (`lib/aws` for CloudFormation,
 * `lib/local` for `npm start`). Add a route, queue or schedule here and it exists in both.
 * See schemas/blueprint.ts for the shape and README.md for the DynamoDB access patterns.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Blueprint, type BlueprintInput, BlueprintSchema } from '../schemas/blueprint.ts';
import { blueprintRoutes } from '../schemas/routes.ts';
import { CronError, parseCron } from './cron.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export class BlueprintError extends Error {
  override name = 'BlueprintError';
}

/** Validates a blueprint; throws BlueprintError listing every problem as `path: message`. */
export function defineBlueprint(input: BlueprintInput, root = REPO_ROOT): Blueprint {
  const parsed = BlueprintSchema.safeParse(input);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  // Cron expressions are checked by the evaluator the local scheduler runs (schemas stay below lib/).
  for (const [id, s] of Object.entries(input.schedules ?? {})) {
    try {
      parseCron(s.cron);
    } catch (e) {
      if (!(e instanceof CronError)) throw e;
      problems.push(`schedules.${id}.cron: ${e.message}`);
    }
  }
  if (parsed.success) {
    for (const [id, fn] of Object.entries(parsed.data.functions)) {
      if (!existsSync(resolve(root, fn.entry)))
        problems.push(`functions.${id}.entry: no file at ${fn.entry}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new BlueprintError(`invalid blueprint:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data;
}

/** Cities whose restriction reminders this deployment pushes (and whose data the daily check watches). */
export const SERVED_CITIES = ['beijing', 'tianjin', 'xian'] as const;

/** When each slot's reminder run starts (Asia/Shanghai): the schedules below and the dry run's plan. */
const SLOT_STARTS = { morning: { hour: 6, minute: 30 }, evening: { hour: 20, minute: 0 } } as const;
const hhmm = (t: { hour: number; minute: number }) =>
  `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;

const restrictionSchedules = Object.fromEntries(
  SERVED_CITIES.flatMap((city) => [
    [
      `restriction-push-${city}-morning`,
      {
        description: `Daily from ${hhmm(SLOT_STARTS.morning)}: reminder to ${city} subscribers whose plate is restricted today, paced to arrive before restrictions begin`,
        // With the WeChat policy's quietHours.restrictionFrom (06:30): reminders may go inside quiet hours from then.
        cron: `cron(${SLOT_STARTS.morning.minute} ${SLOT_STARTS.morning.hour} * * ? *)`,
        timeZone: 'Asia/Shanghai',
        function: 'plan-restriction-push',
        input: { city, slot: 'morning' },
      },
    ],
    [
      `restriction-push-${city}-evening`,
      {
        description: `Daily ${hhmm(SLOT_STARTS.evening)} reminder to ${city} subscribers (evening preference) restricted tomorrow`,
        cron: `cron(${SLOT_STARTS.evening.minute} ${SLOT_STARTS.evening.hour} * * ? *)`,
        timeZone: 'Asia/Shanghai',
        function: 'plan-restriction-push',
        input: { city, slot: 'evening' },
      },
    ],
  ]),
);

/**
 * The SMS channel's deployment settings, the same for every function that sends or reports
 * (functions/adapters/sms/settings.ts documents each). Credentials are in the `sms-gateway` secret.
 */
export const SMS_ENVIRONMENT = {
  SMS_PROVIDER: 'tencent',
  SMS_INTERACTIVE: 'false',
  SMS_MONTHLY_BUDGET_FEN: '100000',
  SMS_PRICE_FEN_PER_PART: '4',
  SMS_MAX_PARTS: '3',
  SMS_CALLBACK_AUTH: 'token',
  SMS_DEFAULT_CITY: 'beijing',
};

/** How long a container reuses the restriction data it read (admin changes reach it within this). */
const RESTRICTION_DATA_ENVIRONMENT = { RESTRICTION_DATA_CACHE_SECONDS: '30' };

/** How long the conversation reuses a city's road-condition candidates (a notice published appears within it). */
const NOTICE_FEED_ENVIRONMENT = { NOTICE_FEED_CACHE_SECONDS: '15' };

/** The cities with reminder schedules, for the replies that promise (or do not promise) a reminder. */
const REMINDER_ENVIRONMENT = { SERVED_CITIES: SERVED_CITIES.join(',') };

/**
 * Driver notices (functions/core/drivers, schemas/drivers.ts DriverSettingsSchema documents each):
 * the department's city, how long registry hashes and events are kept, how long a personal page's
 * link opens, the reminder offsets, SMS to registered phones (off until the department enables it),
 * the points threshold, the verification attempts and proof by an SMS code (off until enabled).
 */
const DRIVER_ENVIRONMENT = {
  DRIVER_CITY: 'beijing',
  DRIVER_RETENTION_DAYS: '400',
  DRIVER_PAGE_DAYS: '30',
  DRIVER_REMINDER_OFFSETS: '30,7,0,-1',
  DRIVER_SMS_TO_REGISTERED: 'false',
  DRIVER_POINTS_NOTICE_AT: '9',
  DRIVER_VERIFY_ATTEMPTS: '5',
  DRIVER_SUBJECT_ATTEMPTS: '20',
  // Proof by an SMS code to the registered phone (off until the department enables it).
  DRIVER_VERIFY_BY_SMS: 'false',
  DRIVER_SMS_CODE_MINUTES: '10',
  DRIVER_SMS_CODES_PER_DAY: '3',
};

/**
 * When a running run is stalled (no activity for this long while some of its audience has no
 * outcome: longer than any queue's visibility timeout, so a redelivery would have moved it), and how
 * often the sweep resumes one before leaving it to an operator.
 */
const RUN_RECOVERY_ENVIRONMENT = { PUSH_STALL_AFTER_SECONDS: '600', PUSH_MAX_AUTO_RESUMES: '3' };

/**
 * WeChat push pacing, one home for the deliverer and the planners: the configured rate per delivery
 * invocation, the most a deadline may raise it to, the account's ceiling across invocations, and the
 * delivery queue's maximum concurrency (WECHAT_DELIVERY_CONCURRENCY, the queue below).
 */
const WECHAT_DELIVERY_CONCURRENCY = 6;
const WECHAT_RATE_ENVIRONMENT = { PUSH_RATE_PER_SECOND: '40', PUSH_MAX_RATE_PER_SECOND: '60' };
const PUSH_PLANNING_ENVIRONMENT = {
  ...WECHAT_RATE_ENVIRONMENT,
  PUSH_DELIVERY_CONCURRENCY: String(WECHAT_DELIVERY_CONCURRENCY),
  // Sends per second across all invocations: the account's limit (WeChat documents none; ~100–400/s is
  // what large accounts report working — confirm yours and set it here).
  PUSH_MAX_TOTAL_RATE: '360',
  // The last reminder is planned to be sent this long before restrictions begin.
  PUSH_DEADLINE_MARGIN_MINUTES: '5',
  PUSH_MORNING_START: hhmm(SLOT_STARTS.morning),
  PUSH_EVENING_START: hhmm(SLOT_STARTS.evening),
};

/** Where functions that call the WeChat API find it (the local stack points it at its sandbox). */
const WECHAT_API_ENVIRONMENT = { WECHAT_API_BASE: 'https://api.weixin.qq.com' };

/**
 * The service desk: how long cases and their attachments are kept (the `desk` table's TTL and the
 * attachments bucket's lifecycle rule both follow it), and how long a container reuses managed
 * content (keyword replies, service information, the desk's units and rules) it read.
 */
export const DESK_RETENTION_DAYS = 365;
const DESK_ENVIRONMENT = {
  DESK_RETENTION_DAYS: String(DESK_RETENTION_DAYS),
  CONTENT_CACHE_SECONDS: '30',
  RESTRICTION_DATA_CACHE_SECONDS: '30',
};

export const blueprintInput = {
  service: 'traffic-police-messaging',

  tables: {
    subscribers: {
      description:
        'Followers per channel (WeChat openid, SMS number HMAC) and their plate bindings; the sparse, sharded fan-out index lists only active, opted-in bindings by city#tail#shard.',
      partitionKey: 'pk',
      sortKey: 'sk',
      indexes: [{ name: 'fanout', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'all' }],
      ttlAttribute: 'expiresAt',
    },
    ledger: {
      description:
        "A subscriber's day ledger: cap counters and push keys, decided in one conditional write; expires by TTL.",
      partitionKey: 'pk',
      sortKey: 'sk',
      ttlAttribute: 'expiresAt',
    },
    inbound: {
      description:
        'Inbound de-duplication records (WeChat retries, SMS callbacks) with the stored reply; expires by TTL.',
      partitionKey: 'pk',
      ttlAttribute: 'expiresAt',
    },
    content: {
      description:
        'Restriction rules, suspensions, holiday calendars and notices; gsi1 lists notices by status and the public feed by city.',
      partitionKey: 'pk',
      sortKey: 'sk',
      indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'all' }],
    },
    drivers: {
      description:
        'Driver notices: per vehicle or licence (by keyed hash) the registry hashes and sealed phone, the followers who proved ownership, violations, points and due dates; per follower what they verified; gsi1 is the sparse due-date index; everything expires by TTL after the retention.',
      partitionKey: 'pk',
      sortKey: 'sk',
      indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'all' }],
      ttlAttribute: 'expiresAt',
    },
    desk: {
      description:
        'The service desk’s cases (head, messages, history in one partition per case), listed by unit and status, assignee, next deadline and citizen; every item expires with its case (retention).',
      partitionKey: 'pk',
      sortKey: 'sk',
      ttlAttribute: 'expiresAt',
      indexes: [
        { name: 'by-unit', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'all' },
        { name: 'by-assignee', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'all' },
        { name: 'by-due', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: 'all' },
        { name: 'by-citizen', partitionKey: 'gsi4pk', sortKey: 'gsi4sk', projection: 'all' },
      ],
    },
    operations: {
      description:
        'Push runs, audit entries, provider tokens, budgets and policies; gsi1 lists runs and audit entries by time.',
      partitionKey: 'pk',
      sortKey: 'sk',
      ttlAttribute: 'expiresAt',
      indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'all' }],
    },
  },

  buckets: {
    'desk-attachments': {
      description:
        'Photos and voice messages citizens attach to their cases, copied from WeChat’s temporary media; expire with the cases.',
      expireDays: DESK_RETENTION_DAYS,
    },
    'driver-drops': {
      description:
        'The traffic-management platform’s nightly JSON Lines drops (drops/<name>.jsonl): each object is read by ingest-driver-drop through the same ingest as the signed route; results are written to results/<name>.json.',
      notifies: 'driver-drops',
      suffix: '.jsonl',
      expireDays: 7,
    },
  },

  // memoryMb comes from test/bench/function-memory.ts (each function bundled as deployed, alone in its
  // own process, through a representative day on the local stack at 2,000 and at 20,000 followers;
  // peak = Lambda's Max Memory Used). Every size is at least 1.5 × the higher peak. Lambda gives CPU in
  // proportion to memory (1,769 MB = one vCPU) and the cold start's init runs on that share, so sizes
  // stay at 256 or more where memory alone would allow less (get-health, which touches no data, keeps
  // 128) until init durations on Lambda say otherwise; where a size is above both, its comment says why.
  functions: {
    'get-health': {
      description: 'Liveness: service name, version and time; touches no data.',
      entry: 'functions/get-health/handler.ts',
      memoryMb: 128, // peak 80 MB
      timeoutSeconds: 3,
    },
    'get-openapi': {
      description: 'The OpenAPI 3.1 document, generated from the zod schemas.',
      entry: 'functions/get-openapi/handler.ts',
      memoryMb: 256, // peak 80 MB
      timeoutSeconds: 5,
    },
    'list-cities': {
      description: 'Cities with restriction data, the rule in force today and today’s answer.',
      entry: 'functions/list-cities/handler.ts',
      memoryMb: 256, // peak 89 MB
      tables: { content: 'read' },
      environment: RESTRICTION_DATA_ENVIRONMENT,
    },
    'get-city-restrictions': {
      description: 'What is restricted in a city on a date or on each day of a range.',
      entry: 'functions/get-city-restrictions/handler.ts',
      memoryMb: 256, // peak 84 MB
      tables: { content: 'read' },
      environment: RESTRICTION_DATA_ENVIRONMENT,
    },
    'get-plate-restriction': {
      description: 'Whether a plate is restricted in a city on a date.',
      entry: 'functions/get-plate-restriction/handler.ts',
      memoryMb: 256, // peak 85 MB
      tables: { content: 'read' },
      environment: RESTRICTION_DATA_ENVIRONMENT,
    },
    'manage-restriction-data': {
      description:
        'Admin: upload calendars, add/close rule records, add/lift suspensions; each with an audit entry.',
      entry: 'functions/manage-restriction-data/handler.ts',
      memoryMb: 256, // peak 88 MB
      tables: { content: 'read-write', operations: 'append' },
    },
    'receive-wechat': {
      description:
        'WeChat Official Account webhook: verify, decrypt, de-duplicate, converse within WeChat’s 5 s.',
      entry: 'functions/receive-wechat/handler.ts',
      // peak 140 MB; 512 for the CPU share: WeChat waits 5 s for the answer, cold start included
      memoryMb: 512,
      timeoutSeconds: 6,
      tables: {
        inbound: 'read-write',
        subscribers: 'read-write',
        content: 'read',
        operations: 'read-write',
        ledger: 'read',
        // Owners prove a plate or licence (验证), and ask 违法 / 记分 / 年检.
        drivers: 'read-write',
        desk: 'read-write', // cases opened, followed up and rated in the conversation
      },
      // driver-codes: the SMS of a code that proves a plate (DRIVER_VERIFY_BY_SMS) is sent by
      // send-driver-code, so the webhook holds no SMS gateway (its bundle and cold start, issue #20).
      publishes: ['wechat-replies', 'desk-media', 'driver-codes'],
      secrets: ['wechat-accounts', 'driver-integrations'],
      environment: {
        ...DESK_ENVIRONMENT, // with the restriction data's cache
        ...REMINDER_ENVIRONMENT,
        ...NOTICE_FEED_ENVIRONMENT,
        ...DRIVER_ENVIRONMENT,
        WECHAT_MAX_SKEW_S: '300',
      },
    },
    'send-wechat-reply': {
      description:
        'Replies the webhook could not give in time, through the customer-service API, at most once.',
      entry: 'functions/send-wechat-reply/handler.ts',
      memoryMb: 256, // peak 93 MB
      timeoutSeconds: 20,
      tables: { inbound: 'read-write', subscribers: 'read-write', operations: 'read-write' },
      secrets: ['wechat-accounts'],
      egress: 'fixed-ip',
      environment: WECHAT_API_ENVIRONMENT,
    },
    'plan-restriction-push': {
      description:
        'Plans a restriction push run: asks the engine, records the run (idempotent key), emits segments.',
      entry: 'functions/plan-restriction-push/handler.ts',
      memoryMb: 256, // peak 94 MB
      timeoutSeconds: 30,
      // subscribers: the fan-out index's count, which the run is paced for.
      tables: { content: 'read', operations: 'read-write', subscribers: 'read' },
      publishes: ['push-segments'],
      environment: { ...RESTRICTION_DATA_ENVIRONMENT, ...PUSH_PLANNING_ENVIRONMENT },
    },
    'expand-segment': {
      description:
        'Pages a segment into delivery bundles: the fan-out index (restriction) or a Scan segment filtered by audience (notice).',
      entry: 'functions/expand-segment/handler.ts',
      memoryMb: 512, // peak 129 MB; 512 for the CPU share the push path is paced on (the morning deadline)
      timeoutSeconds: 120,
      // content: the rule in force decides which plates of a segment are restricted (exemptions).
      tables: { subscribers: 'read-scan', operations: 'read-write', content: 'read' },
      publishes: ['push-deliveries'],
      // Bundles of 50 recipients (one SNS publish, one SQS message, one receipt each); 500 items a page.
      environment: { ...RESTRICTION_DATA_ENVIRONMENT, PUSH_BUNDLE_SIZE: '50', EXPAND_PAGE_SIZE: '500' },
    },
    'deliver-wechat': {
      description:
        'The only way a push reaches a WeChat follower: status, cap + dedupe in one write, template send.',
      entry: 'functions/deliver-wechat/handler.ts',
      // Peak 164 MB, so memory would allow 256; the CPU share does not: 3.9 ms of CPU a push here
      // (median of 3, test/bench/deliver-memory.ts; 4.8 when sends went through fetch) allows ~56
      // sends/s at 384 MB's 0.22 vCPU but ~37 at 256 MB's 0.145, below the 40/s a run is paced at.
      memoryMb: 384,
      timeoutSeconds: 60,
      // subscribers: statuses and consents to subscription templates; ledger: also a follower deferred after 43117.
      tables: { subscribers: 'read-write', ledger: 'read-write', operations: 'read-write', content: 'read' },
      publishes: ['push-deliveries'], // SMS fallbacks
      secrets: ['wechat-accounts'],
      egress: 'fixed-ip',
      environment: {
        ...RESTRICTION_DATA_ENVIRONMENT,
        ...WECHAT_API_ENVIRONMENT,
        ...WECHAT_RATE_ENVIRONMENT,
        PUSH_CONCURRENCY: '12',
      },
    },
    'deliver-sms': {
      description:
        'The only way a push reaches an SMS subscriber: status, per-number cap, cap + dedupe in one write, budget, gateway.',
      entry: 'functions/deliver-sms/handler.ts',
      memoryMb: 256, // peak 107 MB
      timeoutSeconds: 60,
      // drivers: owners' registered phones (driver notices to owners with no verified WeChat binding).
      tables: {
        subscribers: 'read',
        ledger: 'read-write',
        operations: 'read-write',
        content: 'read',
        drivers: 'read',
      },
      secrets: ['sms-gateway'],
      environment: {
        ...SMS_ENVIRONMENT,
        ...RESTRICTION_DATA_ENVIRONMENT,
        SMS_RATE_PER_SECOND: '10',
        SMS_CONCURRENCY: '4',
      },
    },
    'release-deferred-pushes': {
      description:
        'Every five minutes: releases routine pushes deferred by quiet hours once the window has ended.',
      entry: 'functions/release-deferred-pushes/handler.ts',
      memoryMb: 256, // peak 86 MB
      timeoutSeconds: 120,
      tables: { ledger: 'read-write' },
      publishes: ['push-deliveries'],
    },
    'manage-pushes': {
      description:
        'Operators: list and inspect push runs (stalled ones said so), trigger a restriction push (idempotent), resume a run.',
      entry: 'functions/manage-pushes/handler.ts',
      memoryMb: 256, // peak 127 MB
      timeoutSeconds: 29,
      // ledger: a resume reads the bundles' receipts.
      tables: { content: 'read', operations: 'read-write', subscribers: 'read', ledger: 'read' },
      publishes: ['push-segments', 'push-deliveries', 'wechat-mass-sends'],
      environment: {
        ...RESTRICTION_DATA_ENVIRONMENT,
        ...PUSH_PLANNING_ENVIRONMENT,
        ...RUN_RECOVERY_ENVIRONMENT,
      },
    },
    'resume-push-runs': {
      description:
        'Every five minutes: finds push runs that stalled (some of the audience without an outcome, no activity), reports them and emits again what they have not finished.',
      entry: 'functions/resume-push-runs/handler.ts',
      memoryMb: 256, // peak 126 MB (resuming a stalled run of 20,000 followers; 101 MB at 2,000)
      timeoutSeconds: 120,
      tables: { operations: 'read-write', ledger: 'read' },
      publishes: ['push-segments', 'push-deliveries', 'wechat-mass-sends'],
      environment: RUN_RECOVERY_ENVIRONMENT,
    },
    'manage-notices': {
      description:
        'Editors and reviewers: draft, edit, submit, approve, reject, publish and withdraw notices; each write with its audit entry.',
      entry: 'functions/manage-notices/handler.ts',
      memoryMb: 256, // peak 106 MB
      timeoutSeconds: 15,
      tables: { content: 'read-write', operations: 'read-write' }, // read-write: a withdrawal stops the notice's push run
      publishes: ['notice-pushes'],
      secrets: ['wechat-accounts'],
      scheduleGroups: { 'notice-publish': 'manage' }, // approving schedules the publication
      environment: SMS_ENVIRONMENT, // the SMS part limit a notice for SMS must fit
    },
    'preview-notice': {
      description:
        'What publishing a notice would do: audience per channel, cap, template values, SMS parts; sends nothing.',
      entry: 'functions/preview-notice/handler.ts',
      // peak 134 MB at 2,000 followers, 208 MB at 20,000, growing with the subscribers table it scans
      memoryMb: 512,
      timeoutSeconds: 29,
      tables: { content: 'read', subscribers: 'read-scan', ledger: 'read', operations: 'read' },
      secrets: ['wechat-accounts'],
      // the SMS part limit, and the city names the preview shows (restriction data)
      environment: { ...SMS_ENVIRONMENT, ...RESTRICTION_DATA_ENVIRONMENT },
    },
    'publish-due-notices': {
      description:
        'Publishes a notice when its one-off schedule fires; every five minutes, any due notice and unsent push announcements.',
      entry: 'functions/publish-due-notices/handler.ts',
      memoryMb: 256, // peak 90 MB
      timeoutSeconds: 50,
      tables: { content: 'read-write', operations: 'append' },
      publishes: ['notice-pushes'],
      secrets: ['wechat-accounts'],
      scheduleGroups: { 'notice-publish': 'delete' }, // the sweep removes the schedule of what it published
      environment: SMS_ENVIRONMENT, // the SMS part limit a notice for SMS must fit
    },
    'plan-notice-push': {
      description:
        'Plans the push of a published notice: a run per notice version, one segment per parallel Scan segment, one mass send per account that cannot send template messages.',
      entry: 'functions/plan-notice-push/handler.ts',
      memoryMb: 256, // peak 96 MB
      timeoutSeconds: 30,
      tables: { content: 'read', operations: 'read-write' },
      publishes: ['push-segments', 'wechat-mass-sends'],
      secrets: ['wechat-accounts'],
      environment: {
        ...RESTRICTION_DATA_ENVIRONMENT,
        PUSH_CHANNELS: 'wechat,sms',
        NOTICE_SCAN_SEGMENTS: '8',
      },
    },
    'send-wechat-mass': {
      description:
        'A published notice as an article mass send (draft, then send) for an account that cannot send template messages, within its daily allowance; recorded on the run.',
      entry: 'functions/send-wechat-mass/handler.ts',
      memoryMb: 256, // peak 118 MB
      timeoutSeconds: 30,
      tables: { content: 'read', operations: 'read-write' },
      secrets: ['wechat-accounts'],
      egress: 'fixed-ip',
      environment: { ...RESTRICTION_DATA_ENVIRONMENT, ...WECHAT_API_ENVIRONMENT },
    },
    'get-notice-page': {
      description:
        'Public: the page of a published notice (GET /n/{id}), server-rendered HTML for WeChat’s browser; drafts are 404.',
      entry: 'functions/get-notice-page/handler.ts',
      memoryMb: 256, // peak 88 MB
      tables: { content: 'read' },
      environment: RESTRICTION_DATA_ENVIRONMENT,
    },
    'manage-wechat': {
      description:
        'Operators: the WeChat account’s custom menu — the difference from what WeChat shows, then publishing it (audited).',
      entry: 'functions/manage-wechat/handler.ts',
      memoryMb: 256, // peak 89 MB
      timeoutSeconds: 15,
      tables: { operations: 'read-write' }, // tokens; the published menu with its audit entry
      secrets: ['wechat-accounts'],
      egress: 'fixed-ip',
      environment: WECHAT_API_ENVIRONMENT,
    },
    'get-notices': {
      description: 'Public: a city’s published notices (feed) and one published notice.',
      entry: 'functions/get-notices/handler.ts',
      memoryMb: 256, // peak 88 MB
      tables: { content: 'read' },
    },
    'report-operations': {
      description: 'Operators: follower and push stats, the subscriber support view, the audit trail.',
      entry: 'functions/report-operations/handler.ts',
      // peak 106 MB at 2,000 followers, 190 MB at 20,000, growing with the subscribers table it scans
      memoryMb: 512,
      timeoutSeconds: 29,
      tables: { subscribers: 'read-scan', operations: 'read', ledger: 'read' },
      environment: SMS_ENVIRONMENT,
    },
    'receive-sms': {
      description:
        'SMS gateway callbacks: citizens’ replies through the conversation (TD opts out at once), delivery receipts.',
      entry: 'functions/receive-sms/handler.ts',
      // peak 122 MB; 512 for the CPU share: the gateways wait for the answer, and its bundle is 2.3 MB (the SMS SDKs)
      memoryMb: 512,
      timeoutSeconds: 10,
      tables: {
        inbound: 'read-write',
        subscribers: 'read-write',
        ledger: 'read-write',
        operations: 'read-write',
        content: 'read',
        desk: 'read-write', // LY … opens a case; replies to a case SMS attach
      },
      secrets: ['sms-gateway'],
      // A phone that links itself as a follower's 短信备用 is confirmed to the follower in WeChat;
      // a case opened by SMS is acknowledged by SMS through desk-answers.
      publishes: ['wechat-replies', 'desk-answers'],
      environment: {
        ...SMS_ENVIRONMENT,
        ...DESK_ENVIRONMENT, // with the restriction data's cache
        ...REMINDER_ENVIRONMENT,
        ...NOTICE_FEED_ENVIRONMENT,
      },
    },
    'manage-sms': {
      description: 'Operators: the month’s SMS spend against the budget ceiling.',
      entry: 'functions/manage-sms/handler.ts',
      memoryMb: 256, // peak 88 MB
      tables: { operations: 'read' },
      environment: SMS_ENVIRONMENT,
    },
    'ingest-driver-events': {
      description:
        'The traffic-management platform’s signed event batches (POST /v1/integrations/driver-events): verified, recorded idempotently, notices to verified owners through the push pipeline.',
      entry: 'functions/ingest-driver-events/handler.ts',
      // Peak 181 MB for a 500-event batch (141 MB with a 256 MB function's heap), so memory alone would
      // allow 256; kept at 384 for the CPU share of a request the platform waits on (2.6 s for 500
      // events locally on a whole core, test/bench/driver-ingest.ts) until that is measured at 256's.
      memoryMb: 384,
      timeoutSeconds: 29,
      // inbound: the request nonces (replays refused); operations: the day's driver runs.
      tables: { drivers: 'read-write', inbound: 'read-write', operations: 'read-write' },
      publishes: ['push-deliveries'],
      // sms-gateway: registered phones are sealed and keyed like SMS numbers.
      secrets: ['driver-integrations', 'sms-gateway'],
      environment: { ...DRIVER_ENVIRONMENT, DRIVER_MAX_SKEW_S: '300' },
    },
    'ingest-driver-drop': {
      description:
        'A nightly JSON Lines drop of the platform (S3 → queue): read, ingested 500 events at a time through the same use case as the signed route, per-event results written next to it.',
      entry: 'functions/ingest-driver-drop/handler.ts',
      // peak 499 MB for a 100,000-line drop, growing by about 4 KB a line (the file, its events and their
      // results are held at once): 768 would hold some 140,000 lines. 1024 for a night larger than the
      // documented 100,000 and for the CPU share: the drop took 150–190 s locally against an 840 s timeout.
      memoryMb: 1024,
      timeoutSeconds: 840,
      tables: { drivers: 'read-write', operations: 'read-write' },
      buckets: { 'driver-drops': 'read-write' },
      publishes: ['push-deliveries'],
      secrets: ['driver-integrations', 'sms-gateway'],
      environment: DRIVER_ENVIRONMENT,
    },
    'plan-driver-reminders': {
      description:
        'Each morning: due-date reminders (inspection, insurance, licence renewal) at the configured offsets from the sparse due-date index, to verified owners through the push pipeline; closes yesterday’s ingest runs.',
      entry: 'functions/plan-driver-reminders/handler.ts',
      memoryMb: 256, // peak 137 MB (paged: 100 due dates a page)
      timeoutSeconds: 300,
      // content: the holiday calendar (a reminder due on a holiday goes before it).
      tables: { drivers: 'read', operations: 'read-write', content: 'read' },
      publishes: ['push-deliveries'],
      secrets: ['driver-integrations'],
      environment: { ...DRIVER_ENVIRONMENT, ...RESTRICTION_DATA_ENVIRONMENT },
    },
    'send-driver-code': {
      description:
        'The SMS of a code that proves a plate or licence (DRIVER_VERIFY_BY_SMS), handed on by the webhook: through the SMS delivery path (status, per-number cap, ledger, budget) at most once, or withdrawn and the follower told why in WeChat.',
      entry: 'functions/send-driver-code/handler.ts',
      memoryMb: 256, // peak 115 MB
      timeoutSeconds: 20,
      // drivers: the pending code (withdrawn when the send is blocked) and the registered phone;
      // ledger: the per-number cap and the reservation by push key; operations: budget, records, policy.
      tables: {
        subscribers: 'read',
        ledger: 'read-write',
        operations: 'read-write',
        drivers: 'read-write',
      },
      publishes: ['wechat-replies'], // a blocked send told to the follower (customer-service message)
      secrets: ['sms-gateway'],
      environment: SMS_ENVIRONMENT,
    },
    'get-driver-page': {
      description:
        'Public: a driver notice’s personal page (GET /d/{token}), the link signed and expiring; the violation with its photo links; never cached.',
      entry: 'functions/get-driver-page/handler.ts',
      memoryMb: 256, // peak 89 MB
      tables: { drivers: 'read' },
      secrets: ['driver-integrations'],
      environment: DRIVER_ENVIRONMENT,
    },
    'manage-drivers': {
      description:
        'Operators: driver notices by kind and outcome per week, the verification rate, a vehicle’s and a follower’s records (masked unless admin).',
      entry: 'functions/manage-drivers/handler.ts',
      memoryMb: 256, // peak 101 MB
      tables: { drivers: 'read', operations: 'read' },
      secrets: ['driver-integrations'],
      environment: DRIVER_ENVIRONMENT,
    },
    'manage-desk': {
      description:
        'Officers and supervisors: the desk per unit, a case with its thread and history, answer, note, assign, transfer, close, hotline cases, attachments, canned answers, measures; every change audited.',
      entry: 'functions/manage-desk/handler.ts',
      // peak 147 MB with a day's cases and a 3 MB photo read; the measures hold every case of the weeks asked
      memoryMb: 256,
      timeoutSeconds: 15,
      tables: { desk: 'read-write', operations: 'append', content: 'read' },
      buckets: { 'desk-attachments': 'read' },
      publishes: ['desk-answers'],
      // hotline callers' numbers, sealed as in the SMS channel (pepper and data key; it sends no SMS)
      secrets: ['sms-gateway'],
      environment: DESK_ENVIRONMENT,
    },
    'manage-content': {
      description:
        'Operators and supervisors: managed content (keyword replies, service information, the desk’s units, rules and canned answers), versioned and audited.',
      entry: 'functions/manage-content/handler.ts',
      memoryMb: 256, // peak 93 MB
      timeoutSeconds: 10,
      tables: { content: 'read-write', operations: 'append' },
    },
    'send-desk-answer': {
      description:
        'A case’s acknowledgement, answer or satisfaction question on the citizen’s channel: WeChat customer-service message within the window, else a template or subscription notice linking to the case page; SMS within the budget; the 12345 platform.',
      entry: 'functions/send-desk-answer/handler.ts',
      memoryMb: 256, // peak 160 MB
      timeoutSeconds: 30,
      tables: {
        desk: 'read-write',
        subscribers: 'read-write',
        ledger: 'read-write',
        operations: 'read-write',
      },
      secrets: ['wechat-accounts', 'sms-gateway', 'desk'],
      egress: 'fixed-ip',
      environment: { ...WECHAT_API_ENVIRONMENT, ...SMS_ENVIRONMENT, CASE_LINK_DAYS: '30' },
    },
    'fetch-desk-media': {
      description:
        'Copies a photo or voice message a citizen attached from WeChat’s temporary media (3 days) into the attachments bucket, after type and size checks.',
      entry: 'functions/fetch-desk-media/handler.ts',
      memoryMb: 256, // peak 121 MB copying a 3 MB photo (at most DESK_MAX_IMAGE_BYTES)
      timeoutSeconds: 30,
      tables: { desk: 'read-write', operations: 'read-write' },
      buckets: { 'desk-attachments': 'write' },
      secrets: ['wechat-accounts'],
      egress: 'fixed-ip',
      environment: {
        ...WECHAT_API_ENVIRONMENT,
        DESK_MAX_IMAGE_BYTES: '4000000',
        DESK_MAX_VOICE_BYTES: '2000000',
      },
    },
    'receive-12345': {
      description:
        'The city’s 12345 platform posts tickets (HMAC-signed, fresh, never replayed): each becomes a case of its own ticket id.',
      entry: 'functions/receive-12345/handler.ts',
      memoryMb: 256, // peak 106 MB
      timeoutSeconds: 10,
      tables: { desk: 'read-write', inbound: 'read-write', operations: 'append', content: 'read' },
      secrets: ['desk', 'sms-gateway'], // sms-gateway: the caller's number, sealed (no SMS sent here)
      environment: { ...DESK_ENVIRONMENT, PLATFORM_MAX_SKEW_S: '300' },
    },
    'escalate-overdue-cases': {
      description:
        'Every 15 minutes: open cases past a deadline are escalated (督办) to their unit’s supervisors, once per deadline; DeskCasesOverdue counts them (alarmed).',
      entry: 'functions/escalate-overdue-cases/handler.ts',
      memoryMb: 256, // peak 97 MB
      timeoutSeconds: 60,
      tables: { desk: 'read-write', operations: 'append', content: 'read' },
      environment: DESK_ENVIRONMENT,
    },
    'get-case-page': {
      description:
        'Public: a case’s thread (GET /c/{number}) for its citizen, opened from a notice’s link with a signed, expiring token; never cached.',
      entry: 'functions/get-case-page/handler.ts',
      memoryMb: 256, // peak 93 MB
      tables: { desk: 'read' },
      secrets: ['desk'],
    },
    'report-restriction-data': {
      description:
        'Operators (the staff console): the restriction data with its sources and coverage gaps, and what a calendar upload would change.',
      entry: 'functions/report-restriction-data/handler.ts',
      memoryMb: 256, // peak 92 MB: reads only restriction data, so 256 (was 512)
      timeoutSeconds: 15,
      tables: { content: 'read' },
      environment: { ...REMINDER_ENVIRONMENT, COVERAGE_DAYS: '30' },
    },
    'find-subscribers': {
      description: 'Operators: find subscribers by plate or phone number (masked unless admin).',
      entry: 'functions/find-subscribers/handler.ts',
      memoryMb: 256, // peak 88 MB
      timeoutSeconds: 29,
      tables: { subscribers: 'read-scan', ledger: 'read' },
      secrets: ['sms-gateway'], // the pepper: a number is looked up by its HMAC (it sends nothing)
    },
    'report-wechat-quota': {
      description: 'Operators: template messages counted today against each WeChat account’s daily quota.',
      entry: 'functions/report-wechat-quota/handler.ts',
      memoryMb: 256, // peak 91 MB
      tables: { operations: 'read' },
      secrets: ['wechat-accounts'],
      environment: { WECHAT_DAILY_TEMPLATE_QUOTA: '100000' }, // deliver-wechat's quota (a test holds them equal)
    },
    'check-restriction-coverage': {
      description: 'Daily: warn when a served city has no rule or no calendar for a day in the next 30.',
      entry: 'functions/check-restriction-coverage/handler.ts',
      memoryMb: 256, // peak 88 MB
      timeoutSeconds: 30,
      tables: { content: 'read' },
      environment: {
        ...RESTRICTION_DATA_ENVIRONMENT,
        ...REMINDER_ENVIRONMENT,
        COVERAGE_DAYS: '30',
      },
    },
  },

  // Declared once, with roles, schemas and responses, in schemas/routes.ts.
  routes: blueprintRoutes,

  topics: {
    'push-segments': { description: 'Push segments (city × tail × slot × shard) to expand.' },
    'push-deliveries': {
      description:
        'Bundles of up to 50 recipients of one push; attribute `channel` routes them to their deliver queue.',
    },
    'wechat-replies': { description: 'Replies to deliver through the WeChat customer-service API.' },
    'notice-pushes': {
      description:
        'One message { noticeId, version, publishedAt } per published notice with a wechat or sms channel (plan-notice-push plans it).',
    },
    'wechat-mass-sends': {
      description:
        'One job { runKey, noticeId, version, accountId } per notice and account that sends it as an article mass send.',
    },
    'desk-answers': {
      description:
        'One job { caseNumber, messageId, kind } per message of a case to deliver to its citizen (acknowledgement, answer, satisfaction question).',
    },
    'desk-media': {
      description:
        'One job per photo or voice message a citizen attached, to copy from WeChat before it expires.',
    },
    'driver-codes': {
      description:
        'One job { phoneId, pushKey, values, follower, kind, hash } per code asked for over WeChat (DRIVER_VERIFY_BY_SMS): its SMS, sent by send-driver-code.',
    },
  },

  secrets: {
    'sms-gateway': {
      description:
        'JSON: pepper and dataKey (base64, 32 bytes each), tencent {secretId, secretKey, sdkAppId, region} and/or aliyun {accessKeyId, accessKeySecret}, callbackSecrets {tencent, aliyun}.',
    },
    'driver-integrations': {
      description:
        'JSON: integrations [{id, secret (≥ 32 characters), allowedIps}] of the traffic-management platform, pepper and pageKey (base64, ≥ 32 bytes each).',
    },
    desk: {
      description:
        'JSON: caseLinkKey (base64, ≥ 32 bytes: signs the case page links), platform12345 {secret (HMAC of its calls, both ways), answerUrl}.',
    },
    'wechat-accounts': {
      description:
        'JSON array of WeChat Official Accounts: id, appId, appSecret, token, encodingAesKey, previousEncodingAesKey, mode, kind, templates, subscriptions, pageBaseUrl, dailyTemplateQuota, massSend, menu, defaultCity, audience.',
    },
  },

  queues: {
    'push-segments': {
      description: 'Segments waiting for expansion.',
      function: 'expand-segment',
      subscribesTo: [{ topic: 'push-segments' }],
      batchSize: 1,
      maxConcurrency: 10,
      visibilityTimeoutSeconds: 180,
      maxReceives: 5,
      retentionDays: 1,
    },
    'push-deliveries-wechat': {
      description:
        'WeChat deliveries; maximum concurrency × PUSH_RATE_PER_SECOND paces the run under WeChat quotas.',
      function: 'deliver-wechat',
      subscribesTo: [{ topic: 'push-deliveries', filterPolicy: { channel: ['wechat'] } }],
      // Two bundles (≤ 100 pushes) per invocation: 2.5 s at 40 sends/s, far inside the timeout.
      batchSize: 2,
      maxConcurrency: WECHAT_DELIVERY_CONCURRENCY,
      visibilityTimeoutSeconds: 120,
      maxReceives: 3,
      retentionDays: 1,
    },
    'notice-pushes': {
      description: 'Announcements of published notices, planned into push runs.',
      function: 'plan-notice-push',
      subscribesTo: [{ topic: 'notice-pushes' }],
      batchSize: 1,
      maxConcurrency: 2,
      visibilityTimeoutSeconds: 60,
      maxReceives: 5,
      retentionDays: 4,
    },
    'push-deliveries-sms': {
      description:
        'SMS deliveries; maximum concurrency × SMS_RATE_PER_SECOND paces sends under the gateway’s limits.',
      function: 'deliver-sms',
      subscribesTo: [{ topic: 'push-deliveries', filterPolicy: { channel: ['sms'] } }],
      batchSize: 1,
      maxConcurrency: 2,
      visibilityTimeoutSeconds: 120,
      maxReceives: 3,
      retentionDays: 1,
    },
    'wechat-mass-sends': {
      description: 'Article mass sends of published notices, one per run and account.',
      function: 'send-wechat-mass',
      subscribesTo: [{ topic: 'wechat-mass-sends' }],
      batchSize: 1,
      maxConcurrency: 2,
      visibilityTimeoutSeconds: 60,
      maxReceives: 5,
      retentionDays: 4,
    },
    'driver-drops': {
      description:
        'Objects created in the driver-drops bucket (S3 notifications), one message an object; a 100,000-event file takes minutes.',
      function: 'ingest-driver-drop',
      batchSize: 1,
      maxConcurrency: 2,
      visibilityTimeoutSeconds: 900,
      maxReceives: 3,
      retentionDays: 4,
    },
    'desk-answers': {
      description: 'Messages of cases to their citizens, on their channel.',
      function: 'send-desk-answer',
      subscribesTo: [{ topic: 'desk-answers' }],
      batchSize: 1,
      maxConcurrency: 2,
      visibilityTimeoutSeconds: 60,
      maxReceives: 5,
      retentionDays: 4,
    },
    'desk-media': {
      description:
        'Citizens’ photos and voice messages to copy from WeChat’s temporary media (kept 3 days there).',
      function: 'fetch-desk-media',
      subscribesTo: [{ topic: 'desk-media' }],
      batchSize: 1,
      maxConcurrency: 2,
      visibilityTimeoutSeconds: 60,
      maxReceives: 8,
      retentionDays: 3,
    },
    'driver-codes': {
      description:
        'SMS codes that prove a plate or licence, asked for over WeChat; a code is valid minutes, so a job is kept a day at most.',
      function: 'send-driver-code',
      subscribesTo: [{ topic: 'driver-codes' }],
      batchSize: 1,
      maxConcurrency: 2,
      visibilityTimeoutSeconds: 60,
      maxReceives: 3,
      retentionDays: 1,
    },
    'wechat-replies': {
      description: 'Asynchronous WeChat replies (customer-service API).',
      function: 'send-wechat-reply',
      subscribesTo: [{ topic: 'wechat-replies' }],
      batchSize: 5,
      maxConcurrency: 2,
      visibilityTimeoutSeconds: 30,
      maxReceives: 6,
      retentionDays: 1,
    },
  },

  scheduleGroups: {
    'notice-publish': {
      description: "A notice's publication at its publishAt: one schedule per approved notice version.",
      function: 'publish-due-notices',
    },
  },

  schedules: {
    ...restrictionSchedules,
    'release-deferred-pushes': {
      description: 'Release pushes held back by quiet hours',
      cron: 'cron(0/5 * * * ? *)',
      timeZone: 'Asia/Shanghai',
      function: 'release-deferred-pushes',
    },
    'publish-due-notices': {
      description:
        'Backstop: publish approved notices whose publishAt has come (their one-off schedule did not); re-send unsent push announcements.',
      cron: 'cron(0/5 * * * ? *)',
      timeZone: 'Asia/Shanghai',
      function: 'publish-due-notices',
    },
    'driver-reminders': {
      description: 'Every morning, the due-date reminders of the day (and yesterday’s ingest runs closed)',
      cron: 'cron(0 9 * * ? *)',
      timeZone: 'Asia/Shanghai',
      function: 'plan-driver-reminders',
    },
    'escalate-overdue-cases': {
      description:
        'Escalate (督办) open cases past their first-answer or resolution deadline; count what is overdue.',
      cron: 'cron(0/15 * * * ? *)',
      timeZone: 'Asia/Shanghai',
      function: 'escalate-overdue-cases',
    },
    'resume-push-runs': {
      description: 'Resume push runs that stalled (the sweep; operators resume one with POST …/resume)',
      cron: 'cron(0/5 * * * ? *)',
      timeZone: 'Asia/Shanghai',
      function: 'resume-push-runs',
    },
    'restriction-coverage-check': {
      description: 'Every morning, look 30 days ahead for days a served city cannot answer.',
      cron: 'cron(0 9 * * ? *)',
      timeZone: 'Asia/Shanghai',
      function: 'check-restriction-coverage',
    },
  },

  alarms: {
    'restriction-push-unknown': {
      description:
        'A scheduled restriction push was skipped because the engine answered unknown (no rule or no calendar).',
      metric: 'RestrictionPushUnknownDays',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 60,
    },
    'push-run-stalled': {
      description:
        'A push run stalled: some of its audience has no outcome and nothing happened for PUSH_STALL_AFTER_SECONDS. The sweep resumes it (up to PUSH_MAX_AUTO_RESUMES times); see the resume-push-runs logs, or npm run push -- --resume KEY.',
      metric: 'StalledPushRuns',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 5,
    },
    'restriction-push-late': {
      description:
        'A restriction reminder cannot arrive before restrictions begin within the pacing limits (PUSH_MAX_RATE_PER_SECOND, PUSH_MAX_TOTAL_RATE): raise them with WeChat’s confirmation, or start earlier.',
      metric: 'RestrictionPushLatePlans',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 60,
    },
    'wechat-quota-exhausted': {
      description: 'A push run stopped at the daily WeChat template quota.',
      metric: 'WeChatQuotaExhausted',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 60,
    },
    'wechat-config-errors': {
      description:
        'The WeChat API refused a call for configuration or quota (40164 IP whitelist, 45009 daily quota, 40037 template, …): see the send-wechat-reply logs.',
      metric: 'WeChatConfigErrors',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 5,
    },
    'wechat-template-values-refused': {
      description:
        'A push was not sent because its template values could not be made valid (the mapping or the notice changed after approval): see the deliver-wechat logs.',
      metric: 'WeChatTemplateValuesRefused',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 5,
    },
    'wechat-mass-sends-held': {
      description:
        'A notice for a subscription account was not mass-sent: the day’s allowance was used (the run names the notices that used it).',
      metric: 'WeChatMassSendsHeld',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 60,
    },
    'sms-budget-exhausted': {
      description:
        'SMS sends stopped at the monthly budget ceiling (reason budget): raise SMS_MONTHLY_BUDGET_FEN or wait for the month.',
      metric: 'SmsBudgetExhausted',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 60,
    },
    'sms-config-errors': {
      description:
        'The SMS gateway refused a send for configuration (credentials, template, signature, balance): see the logs.',
      metric: 'SmsConfigErrors',
      statistic: 'Sum',
      threshold: 0,
      periodMinutes: 5,
    },
    'desk-cases-overdue': {
      description:
        'Citizens’ cases are past their first-answer or resolution deadline: see GET /v1/admin/desk/overdue (the 督办 list).',
      metric: 'DeskCasesOverdue',
      statistic: 'Maximum',
      threshold: 0,
      periodMinutes: 60,
    },
    'restriction-coverage-gaps': {
      description:
        'A served city lacks a rule or a holiday calendar for a day in the next 30 days: upload it before pushes stop.',
      metric: 'RestrictionCoverageGaps',
      statistic: 'Maximum',
      threshold: 0,
      periodMinutes: 1440,
    },
  },
} satisfies BlueprintInput;

export const blueprint: Blueprint = defineBlueprint(blueprintInput);
