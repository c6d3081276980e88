/**
 * Who may call which admin route, as data: route key (`METHOD /path` as the blueprint and API
 * Gateway spell it) → the roles allowed. `admin` may call everything and is not listed. One helper
 * (functions/shared/auth.ts `authorize`) enforces it inside every admin handler, before any input is
 * parsed, and a test walks the whole matrix on the local stack. An admin route missing here is
 * refused to everyone but admin (deny by default); a test checks every admin-jwt route is listed.
 */
export const ROLES = ['editor', 'reviewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const EDITORS: Role[] = ['editor'];
const REVIEWERS: Role[] = ['reviewer'];
const NOTICE_READERS: Role[] = ['editor', 'reviewer'];
const OPERATORS: Role[] = ['operator'];

export const ROLE_MATRIX: Readonly<Record<string, readonly Role[]>> = {
  // Notices: editors draft, reviewers approve, reject, publish and withdraw.
  'POST /v1/admin/notices': EDITORS,
  'GET /v1/admin/notices': NOTICE_READERS,
  'GET /v1/admin/notices/{id}': NOTICE_READERS,
  'PATCH /v1/admin/notices/{id}': EDITORS,
  'POST /v1/admin/notices/{id}/submit': EDITORS,
  'POST /v1/admin/notices/{id}/approve': REVIEWERS,
  'POST /v1/admin/notices/{id}/reject': REVIEWERS,
  'POST /v1/admin/notices/{id}/publish': REVIEWERS,
  'POST /v1/admin/notices/{id}/withdraw': REVIEWERS,
  'POST /v1/admin/notices/{id}/preview': NOTICE_READERS,
  // Operators: push runs, caps, stats, subscriber support, restriction data, the audit trail.
  'GET /v1/admin/pushes': OPERATORS,
  'GET /v1/admin/pushes/{id}': OPERATORS,
  'POST /v1/admin/pushes/restriction': OPERATORS,
  'GET /v1/admin/policies/frequency': OPERATORS,
  'PUT /v1/admin/policies/frequency': OPERATORS,
  'GET /v1/admin/stats': OPERATORS,
  'GET /v1/admin/stats/pushes': OPERATORS,
  'GET /v1/admin/subscribers/{channel}/{id}': OPERATORS,
  'GET /v1/admin/audit': OPERATORS,
  'GET /v1/admin/sms/budget': OPERATORS,
  'PUT /v1/admin/calendars/{year}': OPERATORS,
  'POST /v1/admin/cities/{city}/rules': OPERATORS,
  'POST /v1/admin/cities/{city}/rules/{ruleId}/close': OPERATORS,
  'POST /v1/admin/cities/{city}/suspensions': OPERATORS,
  'POST /v1/admin/cities/{city}/suspensions/{suspensionId}/lift': OPERATORS,
};

/** Whether any of `roles` may call `routeKey` (admin may call every route). */
export function mayCall(routeKey: string, roles: readonly string[]): boolean {
  if (roles.includes('admin')) return true;
  const allowed = ROLE_MATRIX[routeKey] ?? [];
  return roles.some((r) => (allowed as readonly string[]).includes(r));
}

/** The roles that may call a route, admin included, for error messages. */
export const rolesFor = (routeKey: string): Role[] => ['admin', ...(ROLE_MATRIX[routeKey] ?? [])];
