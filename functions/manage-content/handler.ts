/**
 * Managed content, for operators and supervisors (functions/core/content/managed.ts):
 *   GET /v1/admin/content/{name}            keywords | service-info | desk, with its version
 *   PUT /v1/admin/content/{name}            { version, value } — validated, audited; readers see it within their cache
 *   GET /v1/admin/content/{name}/versions   every saved version, newest first
 */
import { randomUUID } from 'node:crypto';
import { shippedContent } from '../../schemas/data/content.ts';
import { DynamoContentStore } from '../adapters/dynamodb/content.ts';
import { currentContent, replaceContent } from '../core/content/managed.ts';
import { documentClient } from '../shared/clients/dynamodb.ts';
import { clock } from '../shared/clock.ts';
import { tableName } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';

const store = new DynamoContentStore(documentClient, {
  content: tableName('content'),
  operations: tableName('operations'),
});
const deps = { store, shipped: shippedContent, clock, newId: randomUUID };

export const handler = httpRouter('manage-content', {
  'GET /v1/admin/content/{name}': async ({ path }) => ({
    status: 200,
    body: { name: path.name, ...(await currentContent(path.name, store, shippedContent)) },
  }),
  'PUT /v1/admin/content/{name}': async ({ path, body, actor }) => ({
    status: 200,
    body: { name: path.name, ...(await replaceContent(path.name, body, actor, deps)) },
  }),
  'GET /v1/admin/content/{name}/versions': async ({ path }) => ({
    status: 200,
    body: { name: path.name, versions: await store.versions(path.name) },
  }),
});
