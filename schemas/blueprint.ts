/**
 * The shape of `lib/blueprint.ts`: the whole system as data. Both builders (CDK in `lib/aws`, the
 * local stack in `lib/local`) read only what this schema admits, so an entry that parses here is
 * an entry both can build. Cross-references (a route's function, a queue's topic, a function's
 * tables) are checked in `superRefine` with messages that name the path and the known ids.
 */
import * as z from 'zod';

const Id = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]*$/,
    'ids are kebab-case: lowercase letters, digits and dashes, starting with a letter',
  );
const AttributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'attribute names are alphanumeric');

export const AuthKindSchema = z.enum(['public', 'wechat-signature', 'sms-signature', 'admin-jwt', 'hmac']);
export type AuthKind = z.infer<typeof AuthKindSchema>;

export const TableSchema = z.strictObject({
  description: z.string().min(1),
  partitionKey: AttributeName,
  sortKey: AttributeName.optional(),
  indexes: z
    .array(
      z.strictObject({
        name: Id,
        partitionKey: AttributeName,
        sortKey: AttributeName.optional(),
        /** `all`, `keys-only`, or the non-key attributes to project. */
        projection: z.union([z.enum(['all', 'keys-only']), z.array(AttributeName).min(1)]).default('all'),
      }),
    )
    .default([]),
  ttlAttribute: AttributeName.optional(),
  stream: z.enum(['new-image', 'new-and-old-images']).optional(),
});

/**
 * An object store (S3 on AWS: encrypted, private, TLS only, versioning off; the local stack keeps
 * its objects as files under its data folder). Objects expire `expireDays` after they were written
 * (a lifecycle rule), so what the bucket holds is never kept longer than the retention it serves.
 */
export const BucketSchema = z.strictObject({
  description: z.string().min(1),
  /**
   * A drop bucket: others drop objects under drops/ (on AWS a writer policy is output for them), and
   * each object created (with `suffix`) is a message on this queue, whose function reads it. On AWS
   * the bucket and that queue live in the stateful stack; locally `PUT /_local/buckets/<id>/<key>`
   * drops an object. Its function's grant is limited to drops/ (read) and results/ (write).
   */
  notifies: Id.optional(),
  suffix: z.string().max(32).optional(),
  expireDays: z.number().int().min(1).max(3650),
});
/** `read`: GetObject; `write`: PutObject; `read-write`: both (never Delete, List or ACLs). */
export const BucketAccessSchema = z.enum(['read', 'write', 'read-write']);
export type BucketAccess = z.infer<typeof BucketAccessSchema>;

/**
 * `append`: may only add items (PutItem), e.g. the append-only audit trail. `read-scan`: `read` plus
 * Scan, for the few functions that must walk a whole table (audience sizes, follower counts).
 */
export const TableAccessSchema = z.enum(['read', 'read-scan', 'read-write', 'append']);
export type TableAccess = z.infer<typeof TableAccessSchema>;

export const FunctionSchema = z.strictObject({
  description: z.string().min(1),
  /** Path of the handler module from the repository root; it exports `handler`. */
  entry: z.string().regex(/^[a-z0-9/_.-]+\.ts$/, 'entry is a repository-relative .ts path'),
  memoryMb: z.number().int().min(128).max(10240).default(256),
  timeoutSeconds: z.number().int().min(1).max(900).default(10),
  /** Tables the function uses and how; each becomes an env var and exactly that IAM grant. */
  tables: z.record(Id, TableAccessSchema).default({}),
  /** Topics the function publishes to. */
  publishes: z.array(Id).default([]),
  /** Buckets the function uses and how; each becomes an env var and exactly that IAM grant. */
  buckets: z.record(Id, BucketAccessSchema).default({}),
  /** Secrets (Secrets Manager on AWS) the function reads. */
  secrets: z.array(Id).default([]),
  /**
   * `fixed-ip`: outbound traffic leaves through a NAT gateway with an Elastic IP that providers can
   * whitelist (WeChat's API refuses unknown IPs with 40164). Default: Lambda's own egress.
   */
  egress: z.enum(['default', 'fixed-ip']).default('default'),
  /** Whether the function puts events on the event bus. */
  putsEvents: z.boolean().default(false),
  /**
   * One-off schedule groups (`scheduleGroups`) the function uses: `manage` creates schedules (passing
   * the group's role) and deletes them, `delete` only deletes them.
   */
  scheduleGroups: z.record(Id, z.enum(['manage', 'delete'])).default({}),
  /** Static environment (non-secret). */
  environment: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()).default({}),
});

const HttpPath = z
  .string()
  .regex(
    /^\/([A-Za-z0-9._~-]+|\{[a-zA-Z][a-zA-Z0-9]*\+?\})?(\/([A-Za-z0-9._~-]+|\{[a-zA-Z][a-zA-Z0-9]*\+?\}))*$/,
    'paths are absolute, with {param} or a final {proxy+} segments',
  );

export const RouteSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: HttpPath,
  function: Id,
  auth: AuthKindSchema,
});

export const TopicSchema = z.strictObject({ description: z.string().min(1) });

/** SNS filter policy on message attributes (the subset both builders implement). */
const FilterCondition = z.union([
  z.string(),
  z.number(),
  z.strictObject({ prefix: z.string() }),
  z.strictObject({ 'anything-but': z.union([z.string(), z.array(z.string()).min(1)]) }),
  z.strictObject({ exists: z.boolean() }),
]);
export const FilterPolicySchema = z.record(z.string(), z.array(FilterCondition).min(1));
export type FilterPolicy = z.infer<typeof FilterPolicySchema>;

export const QueueSchema = z.strictObject({
  description: z.string().min(1),
  /** The function that consumes the queue (SQS event source). */
  function: Id,
  subscribesTo: z
    .array(z.strictObject({ topic: Id, filterPolicy: FilterPolicySchema.optional() }))
    .default([]),
  batchSize: z.number().int().min(1).max(10000).default(10),
  maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(0),
  /** Lambda's SQS maximum concurrency (2–1000): the pacing knob for provider quotas. */
  maxConcurrency: z.number().int().min(2).max(1000).default(2),
  visibilityTimeoutSeconds: z.number().int().min(1).max(43200).default(60),
  /** After this many receives a message moves to the queue's dead-letter queue. */
  maxReceives: z.number().int().min(1).max(1000).default(5),
  retentionDays: z.number().int().min(1).max(14).default(4),
});

export const ScheduleSchema = z.strictObject({
  description: z.string().min(1),
  cron: z.string(),
  timeZone: z.string().default('Asia/Shanghai'),
  function: Id,
  /** The event the function receives. */
  input: z.record(z.string(), z.unknown()).default({}),
});

/**
 * A group of one-off EventBridge Scheduler schedules that functions create at run time (e.g. a
 * notice's publish time): each fires once, invokes `function` with the input it was created with,
 * and deletes itself. The group, the role the scheduler assumes and the dead-letter queue are made
 * by the builders; the creating functions get their names.
 */
export const ScheduleGroupSchema = z.strictObject({
  description: z.string().min(1),
  function: Id,
});

/** EventBridge event pattern (the subset both builders implement): field → allowed values or nested pattern. */
export type EventPattern = { [key: string]: Array<string | number | Record<string, unknown>> | EventPattern };
const EventPatternSchema: z.ZodType<EventPattern> = z.lazy(() =>
  z.record(
    z.string(),
    z.union([z.array(z.union([z.string(), z.number(), FilterCondition])).min(1), EventPatternSchema]),
  ),
);

/** A CloudWatch alarm on one of the service's own metrics (Powertools EMF, dimension `service`). */
export const AlarmSchema = z.strictObject({
  description: z.string().min(1),
  metric: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
  statistic: z.enum(['Sum', 'Maximum']).default('Maximum'),
  /** Alarm when the statistic over `periodMinutes` is greater than this. */
  threshold: z.number().default(0),
  periodMinutes: z.number().int().min(1).max(1440).default(60),
});

export const BusRuleSchema = z.strictObject({
  description: z.string().min(1),
  pattern: EventPatternSchema,
  function: Id,
});

export const BlueprintSchema = z
  .strictObject({
    service: Id,
    tables: z.record(Id, TableSchema),
    buckets: z.record(Id, BucketSchema).default({}),
    functions: z.record(Id, FunctionSchema),
    routes: z.array(RouteSchema),
    topics: z.record(Id, TopicSchema).default({}),
    /** JSON secrets created empty by the stateful stack; operators fill them (README, "Deploying"). */
    secrets: z.record(Id, z.strictObject({ description: z.string().min(1) })).default({}),
    queues: z.record(Id, QueueSchema).default({}),
    schedules: z.record(Id, ScheduleSchema).default({}),
    scheduleGroups: z.record(Id, ScheduleGroupSchema).default({}),
    busRules: z.record(Id, BusRuleSchema).default({}),
    alarms: z.record(Id, AlarmSchema).default({}),
  })
  .superRefine((bp, ctx) => {
    const known = (kind: string, ids: string[]) => `known ${kind}: ${ids.length ? ids.join(', ') : '(none)'}`;
    const fnIds = Object.keys(bp.functions);
    const tableIds = Object.keys(bp.tables);
    const topicIds = Object.keys(bp.topics);
    const needFunction = (id: string, path: (string | number)[]) => {
      if (!bp.functions[id])
        ctx.addIssue({
          code: 'custom',
          path,
          message: `unknown function '${id}'; ${known('functions', fnIds)}`,
        });
    };

    const seenRoutes = new Set<string>();
    bp.routes.forEach((r, i) => {
      needFunction(r.function, ['routes', i, 'function']);
      const key = `${r.method} ${r.path.replace(/\{[^}]+\}/g, '{}')}`;
      if (seenRoutes.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i],
          message: `duplicate route ${r.method} ${r.path}`,
        });
      seenRoutes.add(key);
      if (/\{[^}]+\+\}./.test(r.path)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'path'],
          message: 'a {proxy+} segment must be last',
        });
      }
    });

    for (const [id, fn] of Object.entries(bp.functions)) {
      for (const t of Object.keys(fn.tables)) {
        if (!bp.tables[t])
          ctx.addIssue({
            code: 'custom',
            path: ['functions', id, 'tables', t],
            message: `unknown table '${t}'; ${known('tables', tableIds)}`,
          });
      }
      for (const b of Object.keys(fn.buckets)) {
        if (!bp.buckets[b])
          ctx.addIssue({
            code: 'custom',
            path: ['functions', id, 'buckets', b],
            message: `unknown bucket '${b}'; ${known('buckets', Object.keys(bp.buckets))}`,
          });
      }
      fn.secrets.forEach((t, i) => {
        if (!bp.secrets[t])
          ctx.addIssue({
            code: 'custom',
            path: ['functions', id, 'secrets', i],
            message: `unknown secret '${t}'; ${known('secrets', Object.keys(bp.secrets))}`,
          });
      });
      Object.keys(fn.scheduleGroups).forEach((g) => {
        if (!bp.scheduleGroups[g])
          ctx.addIssue({
            code: 'custom',
            path: ['functions', id, 'scheduleGroups', g],
            message: `unknown schedule group '${g}'; ${known('schedule groups', Object.keys(bp.scheduleGroups))}`,
          });
      });
      fn.publishes.forEach((t, i) => {
        if (!bp.topics[t])
          ctx.addIssue({
            code: 'custom',
            path: ['functions', id, 'publishes', i],
            message: `unknown topic '${t}'; ${known('topics', topicIds)}`,
          });
      });
    }

    for (const [id, q] of Object.entries(bp.queues)) {
      needFunction(q.function, ['queues', id, 'function']);
      const fn = bp.functions[q.function];
      if (fn && q.visibilityTimeoutSeconds < fn.timeoutSeconds) {
        ctx.addIssue({
          code: 'custom',
          path: ['queues', id, 'visibilityTimeoutSeconds'],
          message: `visibility timeout ${q.visibilityTimeoutSeconds}s is shorter than function '${q.function}' timeout ${fn.timeoutSeconds}s; SQS would redeliver messages still being processed`,
        });
      }
      q.subscribesTo.forEach((s, i) => {
        if (!bp.topics[s.topic])
          ctx.addIssue({
            code: 'custom',
            path: ['queues', id, 'subscribesTo', i, 'topic'],
            message: `unknown topic '${s.topic}'; ${known('topics', topicIds)}`,
          });
      });
    }

    for (const [id, b] of Object.entries(bp.buckets)) {
      if (!b.notifies) continue;
      const q = bp.queues[b.notifies];
      if (!q)
        ctx.addIssue({
          code: 'custom',
          path: ['buckets', id, 'notifies'],
          message: `unknown queue '${b.notifies}'; ${known('queues', Object.keys(bp.queues))}`,
        });
      else if (q.subscribesTo.length)
        ctx.addIssue({
          code: 'custom',
          path: ['buckets', id, 'notifies'],
          message: `queue '${b.notifies}' is fed by the bucket; it subscribes to no topic`,
        });
    }

    for (const [id, s] of Object.entries(bp.schedules)) {
      needFunction(s.function, ['schedules', id, 'function']);
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: s.timeZone });
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['schedules', id, 'timeZone'],
          message: `unknown IANA time zone '${s.timeZone}'`,
        });
      }
    }

    for (const [id, g] of Object.entries(bp.scheduleGroups)) {
      needFunction(g.function, ['scheduleGroups', id, 'function']);
      // Creating needs the target's ARN in the creator's environment: the target itself cannot.
      if (bp.functions[g.function]?.scheduleGroups[id] === 'manage')
        ctx.addIssue({
          code: 'custom',
          path: ['functions', g.function, 'scheduleGroups', id],
          message: `function '${g.function}' is the target of schedule group '${id}' and may only 'delete' its schedules (its own ARN in its environment would be a circular reference)`,
        });
    }

    for (const [id, r] of Object.entries(bp.busRules)) needFunction(r.function, ['busRules', id, 'function']);

    for (const [id, t] of Object.entries(bp.tables)) {
      const names = new Set<string>();
      t.indexes.forEach((ix, i) => {
        if (names.has(ix.name))
          ctx.addIssue({
            code: 'custom',
            path: ['tables', id, 'indexes', i, 'name'],
            message: `duplicate index '${ix.name}'`,
          });
        names.add(ix.name);
      });
    }
  });

export type BlueprintInput = z.input<typeof BlueprintSchema>;
export type Blueprint = z.output<typeof BlueprintSchema>;
export type TableDef = z.output<typeof TableSchema>;
export type BucketDef = z.output<typeof BucketSchema>;
export type FunctionDef = z.output<typeof FunctionSchema>;
export type RouteDef = z.output<typeof RouteSchema>;
export type QueueDef = z.output<typeof QueueSchema>;
export type ScheduleDef = z.output<typeof ScheduleSchema>;
export type ScheduleGroupDef = z.output<typeof ScheduleGroupSchema>;
export type BusRuleDef = z.output<typeof BusRuleSchema>;
export type AlarmDef = z.output<typeof AlarmSchema>;
