/**
 * Managed content: what the departments publish and tune without a deploy — the keyword replies
 * (menu numbers), the service information (windows and hours, rescue numbers, one-way streets, bus
 * lanes, the accident guide) and the desk's configuration (units, routing rules, deadlines, canned
 * answers). Each is one document, validated by its schema, replaced whole based on the version read
 * (a concurrent change is a 409), every version kept and audited; the shipped data files are version
 * 0, in force until the first save. Readers (the conversation, the desk) cache what they read.
 */
import type * as z from 'zod';
import { type ContentName, DeskConfigSchema, ServiceInfoSchema } from '../../../schemas/desk.ts';
import { KeywordRepliesSchema } from '../../../schemas/wechat.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { Clock } from '../time.ts';
import type { Actor, AuditEntry } from '../vocabulary.ts';

export const CONTENT_SCHEMAS = {
  keywords: KeywordRepliesSchema,
  'service-info': ServiceInfoSchema,
  desk: DeskConfigSchema,
} as const satisfies Record<ContentName, z.ZodType>;

export type ContentValue<N extends ContentName> = z.output<(typeof CONTENT_SCHEMAS)[N]>;

export interface StoredContent {
  version: number;
  value: unknown;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface ContentStore {
  /** The stored document, or undefined when none was saved (the shipped first version applies). */
  get(name: ContentName): Promise<StoredContent | undefined>;
  /** Saves version expectedVersion + 1 with its audit entry; false when the stored version moved. */
  save(name: ContentName, value: unknown, expectedVersion: number, audit: AuditEntry): Promise<boolean>;
  versions(name: ContentName): Promise<Array<{ version: number; at: string; by: string }>>;
}

/** The document in force: the stored one, else the shipped one (version 0). */
export async function currentContent<N extends ContentName>(
  name: N,
  store: Pick<ContentStore, 'get'>,
  shipped: Record<ContentName, unknown>,
): Promise<StoredContent & { value: ContentValue<N> }> {
  const stored = await store.get(name);
  const schema = CONTENT_SCHEMAS[name];
  if (!stored)
    return {
      version: 0,
      value: schema.parse(shipped[name]) as ContentValue<N>,
      updatedAt: null,
      updatedBy: null,
    };
  return { ...stored, value: schema.parse(stored.value) as ContentValue<N> };
}

export async function replaceContent(
  name: ContentName,
  change: { version: number; value: unknown },
  actor: Actor,
  deps: { store: ContentStore; shipped: Record<ContentName, unknown>; clock: Clock; newId: () => string },
) {
  const parsed = CONTENT_SCHEMAS[name].safeParse(change.value);
  if (!parsed.success)
    throw new ValidationError(
      `This is not valid ${name} content: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}`,
      parsed.error.issues.map((i) => ({
        path: ['body', 'value', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  const before = await currentContent(name, deps.store, deps.shipped);
  if (before.version !== change.version)
    throw new ConflictError(
      `${name} is at version ${before.version} (saved by ${before.updatedBy ?? 'the shipped data'}${before.updatedAt ? ` at ${before.updatedAt}` : ''}); you read version ${change.version}. Reload and apply your change again.`,
      { currentVersion: before.version },
    );
  const at = deps.clock.now().toISOString();
  const saved = await deps.store.save(name, parsed.data, change.version, {
    id: deps.newId(),
    actor: actor.sub,
    at,
    action: 'content.replace',
    entity: `content:${name}`,
    before: { version: before.version },
    after: { version: change.version + 1 },
  });
  if (!saved) throw new ConflictError(`${name} was changed meanwhile; reload and try again.`);
  return currentContent(name, deps.store, deps.shipped);
}
