/**
 * Subscriber support (role operator; schemas/routes.ts):
 *   GET /v1/admin/subscribers?plate=京A12345   followers with that plate bound
 *   GET /v1/admin/subscribers?phone=13800138000   the SMS subscriber of that number and the WeChat
 *                                                 followers who linked it for fallback (by its HMAC)
 * Masked unless role admin (functions/core/operations/support.ts).
 */

import { findSubscribers } from '../core/operations/support.ts';
import { httpRouter } from '../shared/http.ts';
import { subscriberSupportDeps } from '../shared/wiring/support.ts';

const deps = subscriberSupportDeps();

export const handler = httpRouter('find-subscribers', {
  'GET /v1/admin/subscribers': async ({ query, actor }) => ({
    status: 200,
    body: await findSubscribers(query, actor.roles.includes('admin'), deps),
  }),
});
