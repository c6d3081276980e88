/** GET /openapi.json — the OpenAPI 3.1 document generated from the route declarations. */
import { openApiDocument } from '../../schemas/openapi.ts';
import { baseConfig } from '../shared/config.ts';
import { httpRouter } from '../shared/http.ts';

const document = openApiDocument(baseConfig.SERVICE_VERSION);

export const handler = httpRouter('get-openapi', {
  'GET /openapi.json': async () => ({
    status: 200,
    headers: { 'cache-control': 'public, max-age=300' },
    body: document,
  }),
});
