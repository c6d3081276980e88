/**
 * Environment read once, at module load, and validated: a function that lacks a variable its
 * blueprint entry implies fails at init with the variable's name, not later with `undefined`.
 */
import { z } from 'zod';
import { envNames } from '../../schemas/resource-env.ts';

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`${name} environment variable is not set`);
  return value;
}

export const tableName = (tableId: string, env: NodeJS.ProcessEnv = process.env) =>
  requireEnv(envNames.table(tableId), env);
export const topicArn = (topicId: string, env: NodeJS.ProcessEnv = process.env) =>
  requireEnv(envNames.topic(topicId), env);

export const BaseConfigSchema = z.object({
  SERVICE_VERSION: z.string().default('dev'),
  STAGE: z.string().default('local'),
});
export const baseConfig = BaseConfigSchema.parse(process.env);

/**
 * A blueprint schedule group as a function sees it: the group's name, and for functions that create
 * schedules (`manage`) what those invoke; functions that only delete them get the name alone.
 */
export const scheduleGroup = (groupId: string, env: NodeJS.ProcessEnv = process.env) => {
  const names = envNames.scheduleGroup(groupId);
  const name = requireEnv(names.name, env);
  const targetArn = env[names.target];
  if (!targetArn) return { name };
  return {
    name,
    target: {
      arn: targetArn,
      roleArn: requireEnv(names.role, env),
      deadLetterQueueArn: requireEnv(names.deadLetterQueue, env),
    },
  };
};
