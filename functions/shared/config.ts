/**
 * A function's configuration, read once at init from the environment its builder gives it
 * (`functionEnvironment()`: process.env on AWS, the function's own environment on the local stack)
 * and validated: a function that lacks a variable its blueprint entry implies fails at init with the
 * variable's name, not later with `undefined`. Defaults live in the blueprint (lib/blueprint.ts), not
 * in these schemas.
 */
import * as z from 'zod';
import { envNames, functionEnvironment } from '../../schemas/resource-env.ts';

export type Environment = Record<string, string | undefined>;

/** The environment of the function running now. */
export const env = (): Environment => functionEnvironment();

export function requireEnv(name: string, e: Environment = env()): string {
  const value = e[name];
  if (value === undefined || value === '') throw new Error(`${name} environment variable is not set`);
  return value;
}

export const tableName = (tableId: string, e: Environment = env()) => requireEnv(envNames.table(tableId), e);
export const topicArn = (topicId: string, e: Environment = env()) => requireEnv(envNames.topic(topicId), e);
export const bucketName = (bucketId: string, e: Environment = env()) =>
  requireEnv(envNames.bucket(bucketId), e);

/** The function's settings, parsed with `schema`; an invalid or missing one names the variable. */
export function settings<S extends z.ZodType>(schema: S, e: Environment = env()): z.output<S> {
  const parsed = schema.safeParse(e);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
  throw new Error(`invalid function configuration: ${problems.join('; ')}`);
}

/** What every function reports about its deployment (both the same for every function of a stage). */
export const BaseConfigSchema = z.object({
  SERVICE_VERSION: z.string().default('dev'),
  STAGE: z.string().default('local'),
});
export const baseConfig = BaseConfigSchema.parse(env());

/** Whether this is the local stack (dev-only fallbacks, the shiftable clock). */
export const isLocal = (e: Environment = env()) => e.STAGE === 'local';

/**
 * A blueprint schedule group as a function sees it: the group's name, and for functions that create
 * schedules (`manage`) what those invoke; functions that only delete them get the name alone.
 */
export const scheduleGroup = (groupId: string, e: Environment = env()) => {
  const names = envNames.scheduleGroup(groupId);
  const name = requireEnv(names.name, e);
  const targetArn = e[names.target];
  if (!targetArn) return { name };
  return {
    name,
    target: {
      arn: targetArn,
      roleArn: requireEnv(names.role, e),
      deadLetterQueueArn: requireEnv(names.deadLetterQueue, e),
    },
  };
};
