/**
 * Operators (roles operator, admin; schemas/routes.ts), the WeChat account's custom menu:
 *   GET  /v1/admin/wechat/{account}/menu   the repository's menu, WeChat's, the difference, what stands in the way
 *   POST /v1/admin/wechat/{account}/menu   publish it ({basedOn}: only over WeChat's menu as shown), audited
 * (functions/core/wechat/menu.ts; `npm run menu` calls these).
 */
import { menuReport, publishMenu } from '../core/wechat/menu.ts';
import { httpRouter } from '../shared/http.ts';
import { menuDeps } from '../shared/wiring/menus.ts';

const deps = menuDeps();

export const handler = httpRouter('manage-wechat', {
  'GET /v1/admin/wechat/{account}/menu': async ({ path }) => ({
    status: 200,
    body: await menuReport(path.account, deps),
  }),
  'POST /v1/admin/wechat/{account}/menu': async ({ path, body, actor }) => ({
    status: 200,
    body: await publishMenu(path.account, body?.basedOn, actor, deps),
  }),
});
