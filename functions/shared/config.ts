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
