/**
 * The system, as data: the single description both builders read (`lib/aws` for CloudFormation,
 * `lib/local` for `npm start`). Add a route, queue or schedule here and it exists in both.
 * See schemas/blueprint.ts for the shape and README.md for the DynamoDB access patterns.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Blueprint, type BlueprintInput, BlueprintSchema } from '../schemas/blueprint.ts';

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

export const blueprint: Blueprint = defineBlueprint({
  service: 'traffic-police-messaging',

  tables: {
    subscribers: {
      description:
        'Followers per channel (WeChat openid, SMS number HMAC) and their plate bindings; the sparse, sharded fan-out index lists only active, opted-in bindings by city#tail#shard.',
      partitionKey: 'pk',
      sortKey: 'sk',
      indexes: [{ name: 'fanout', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'all' }],
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
    operations: {
      description:
        'Push runs, audit entries, provider tokens, budgets and policies; gsi1 lists runs and audit entries by time.',
      partitionKey: 'pk',
      sortKey: 'sk',
      ttlAttribute: 'expiresAt',
      indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'all' }],
    },
  },

  functions: {
    'get-health': {
      description: 'Liveness: service name, version and time; touches no data.',
      entry: 'functions/get-health/handler.ts',
      memoryMb: 128,
      timeoutSeconds: 3,
    },
  },

  routes: [{ method: 'GET', path: '/health', function: 'get-health', auth: 'public' }],
});
