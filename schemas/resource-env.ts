/**
 * How a function finds the resources its blueprint entry names: one environment variable per
 * table / topic / bus (and, for a queue's consumer, its queue's receive limit), named here once. The CDK builder sets them from real ARNs and names; the
 * local stack sets the same names to its local resources; `functions/shared/config.ts` reads them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const snake = (id: string) => id.toUpperCase().replace(/-/g, '_');

export const envNames = {
  table: (tableId: string) => `TABLE_${snake(tableId)}`,
  topic: (topicId: string) => `TOPIC_${snake(topicId)}_ARN`,
  bucket: (bucketId: string) => `BUCKET_${snake(bucketId)}`,
  secret: (secretId: string) => `${snake(secretId)}_SECRET_ARN`,
  /** A one-off schedule group: its name, the function its schedules invoke, the role and DLQ they use. */
  scheduleGroup: (groupId: string) => ({
    name: `SCHEDULE_GROUP_${snake(groupId)}`,
    target: `SCHEDULE_GROUP_${snake(groupId)}_TARGET_ARN`,
    role: `SCHEDULE_GROUP_${snake(groupId)}_ROLE_ARN`,
    deadLetterQueue: `SCHEDULE_GROUP_${snake(groupId)}_DLQ_ARN`,
  }),
  eventBus: 'EVENT_BUS_NAME',
  service: 'POWERTOOLS_SERVICE_NAME',
  /** A queue consumer: how often its queue delivers a message before dead-lettering it. */
  queueMaxReceives: 'QUEUE_MAX_RECEIVES',
} as const;

/**
 * The environment a function sees. On AWS each function is its own process, so it is
 * `process.env`. The local stack runs every function in one process, so it gives each its own
 * environment (what the CDK builder would set for it) for the duration of its init and invocations,
 * through `withFunctionEnvironment`; functions read their configuration only through
 * `functionEnvironment()` (functions/shared/config.ts).
 */
type Environment = Record<string, string | undefined>;
const current = new AsyncLocalStorage<Environment>();

export const functionEnvironment = (): Environment => current.getStore() ?? process.env;

export function withFunctionEnvironment<T>(env: Environment, work: () => T): T {
  return current.run(env, work);
}

/**
 * A deployment stage: lowercase letters and digits, so that it fits every name below and the
 * stack names (`TrafficPoliceMessaging<Stage>…`) without two stages ever spelling the same name.
 */
export const STAGE_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

/**
 * A physical name the app fixes (unique per account and region): always `<service>-<stage>-<id>`,
 * so two stages in one account never share one. Refused, not truncated, when too long: a cut name
 * could collide.
 */
export function physicalName(service: string, stage: string, id: string, maxLength = 64): string {
  if (!STAGE_PATTERN.test(stage)) throw new Error(`stage '${stage}' does not match ${STAGE_PATTERN}`);
  const name = `${service}-${stage}-${id}`;
  if (name.length > maxLength) throw new Error(`'${name}' is longer than ${maxLength} characters`);
  return name;
}

/**
 * A blueprint bucket's name on AWS: S3 names are global, so the account and region are in it (and
 * the stage: stages never share one). Both stacks compute it, so no reference crosses them.
 */
export const awsBucketName = (bucketId: string, stage: string, account: string, region: string) =>
  `${bucketId}-${stage}-${account}-${region}`;

/** The EventBridge Scheduler group of a blueprint one-off schedule group (both builders name it so). */
export const scheduleGroupName = (service: string, stage: string, groupId: string) =>
  physicalName(service, stage, groupId, 64);
