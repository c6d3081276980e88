/**
 * Wiring: managed content (functions/core/content/managed.ts) as the conversation and the desk read
 * it — the stored document, cached per container for CONTENT_CACHE_SECONDS, else the shipped one.
 */
import { shippedContent } from '../../../schemas/data/content.ts';
import type { ContentName } from '../../../schemas/desk.ts';
import { DeskSettingsSchema } from '../../../schemas/settings.ts';
import { DynamoContentStore } from '../../adapters/dynamodb/content.ts';
import { type ContentValue, currentContent } from '../../core/content/managed.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { settings, tableName } from '../config.ts';

let store: DynamoContentStore | undefined;

/** The content document in force (cached); functions with the content table only. */
export async function content<N extends ContentName>(name: N): Promise<ContentValue<N>> {
  store ??= new DynamoContentStore(
    documentClient,
    { content: tableName('content') },
    settings(DeskSettingsSchema).contentCacheMs,
  );
  return (await currentContent(name, store, shippedContent)).value;
}
