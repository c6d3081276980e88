/** GET /openapi.json — the OpenAPI 3.1 document generated from the zod schemas. */
import { openApiDocument } from '../../schemas/openapi.ts';
import { baseConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';

const document = openApiDocument(baseConfig.SERVICE_VERSION);

export const handler = httpHandler({}, async () => ({
  status: 200,
  headers: { 'cache-control': 'public, max-age=300' },
  body: document,
}));
