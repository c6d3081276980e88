/**
 * The service desk, for officers and supervisors (roles: schemas/routes.ts, checked by the router):
 * the lists per unit, a case with its thread and history, the moves (answer, note, assign, transfer,
 * close: each based on the version read, with its audit entry), hotline cases, attachments, canned
 * answers, units, the 督办 list and the measures (functions/core/desk/desk.ts, measures.ts).
 */
import * as desk from '../core/desk/desk.ts';
import { deskMeasures } from '../core/desk/measures.ts';
import { httpRouter } from '../shared/http.ts';
import { deskAdminDeps as deps } from '../shared/wiring/desk-admin.ts';

const ok = async (body: Promise<unknown>, status = 200) => ({ status, body: await body });

export const handler = httpRouter('manage-desk', {
  'GET /v1/admin/desk/cases': (r) => ok(desk.listCases(r.query, r.actor, deps)),
  'POST /v1/admin/desk/cases': (r) => ok(desk.createStaffCase(r.body, r.actor, deps), 201),
  'GET /v1/admin/desk/cases/{number}': (r) => ok(desk.getCase(r.path.number, r.actor, deps)),
  'POST /v1/admin/desk/cases/{number}/answer': (r) =>
    ok(desk.answerCase(r.path.number, r.body, r.actor, deps)),
  'POST /v1/admin/desk/cases/{number}/note': (r) => ok(desk.noteCase(r.path.number, r.body, r.actor, deps)),
  'POST /v1/admin/desk/cases/{number}/assign': (r) =>
    ok(desk.assignCase(r.path.number, r.body, r.actor, deps)),
  'POST /v1/admin/desk/cases/{number}/transfer': (r) =>
    ok(desk.transferCase(r.path.number, r.body, r.actor, deps)),
  'POST /v1/admin/desk/cases/{number}/close': (r) =>
    ok(desk.closeDeskCase(r.path.number, r.body, r.actor, deps)),
  'GET /v1/admin/desk/cases/{number}/attachments/{attachmentId}': (r) =>
    ok(desk.attachmentContent(r.path.number, r.path.attachmentId, r.actor, deps)),
  'GET /v1/admin/desk/canned': (r) => ok(desk.cannedAnswers(r.query.category, deps)),
  'GET /v1/admin/desk/units': async () => {
    const { units, defaultUnit } = await deps.config();
    return { status: 200, body: { units, defaultUnit } };
  },
  'GET /v1/admin/desk/overdue': (r) => ok(desk.listCases({ view: 'overdue', limit: 100 }, r.actor, deps)),
  'GET /v1/admin/desk/measures': async (r) => {
    const units = (await deps.config()).units.map((u) => u.id);
    return ok(deskMeasures(r.query.weeks, { store: deps.store, units, now: deps.clock.now() }));
  },
});
