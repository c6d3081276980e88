/**
 * Operators (roles: schemas/routes.ts, checked by the router):
 *   GET /v1/admin/drivers/stats?weeks=8                 notices by kind and outcome per week, the
 *                                                       verification rate, verified owners now
 *   GET /v1/admin/drivers/vehicles/{plate}              one vehicle's records (masked unless admin)
 *   GET /v1/admin/drivers/followers/{channel}/{id}      what one follower proved they own (masked unless admin)
 */
import { driverStats, followerView, vehicleView } from '../core/drivers/measures.ts';
import { httpRouter } from '../shared/http.ts';
import { manageDriverDeps } from '../shared/wiring/drivers.ts';

const deps = manageDriverDeps();
const isAdmin = (roles: readonly string[]) => roles.includes('admin');

export const handler = httpRouter('manage-drivers', {
  'GET /v1/admin/drivers/stats': async ({ query }) => ({
    status: 200,
    body: await driverStats(query.weeks, deps),
  }),
  'GET /v1/admin/drivers/vehicles/{plate}': async ({ path, actor }) => ({
    status: 200,
    body: await vehicleView(path.plate, isAdmin(actor.roles), await deps.views()),
  }),
  'GET /v1/admin/drivers/followers/{channel}/{id}': async ({ path, actor }) => ({
    status: 200,
    body: await followerView(path, isAdmin(actor.roles), await deps.views()),
  }),
});
