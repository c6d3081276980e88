/**
 * Who may call which admin route: route key (`METHOD /path` as API Gateway spells it) → the roles
 * allowed, derived from the route declarations (schemas/routes.ts, each admin route's `roles`).
 * `admin` may call everything and is not listed. The router checks a route's declared roles before
 * it parses any input (functions/shared/auth.ts `authorize`, with `permits` below), and a test walks
 * the whole matrix on the local stack. A route key not in the matrix is refused to everyone but
 * admin (deny by default).
 */
import { declaredRoutes } from './routes.ts';

/** officer: works the desk of their units; supervisor: every unit's desk, the 督办 list, the measures. */
export const ROLES = ['editor', 'reviewer', 'operator', 'officer', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_MATRIX: Readonly<Record<string, readonly Role[]>> = Object.fromEntries(
  declaredRoutes.flatMap(({ key, route }) => (route.auth === 'admin-jwt' ? [[key, route.roles]] : [])),
);

/** Whether a caller with `roles` may call a route open to `allowed` (admin may call every route). */
export const permits = (allowed: readonly Role[], roles: readonly string[]): boolean =>
  roles.includes('admin') || allowed.some((r) => roles.includes(r));

/** Whether any of `roles` may call `routeKey`. */
export const mayCall = (routeKey: string, roles: readonly string[]): boolean =>
  permits(ROLE_MATRIX[routeKey] ?? [], roles);

/** The roles that may call a route open to `allowed`, admin included, for error messages. */
export const withAdmin = (allowed: readonly Role[]): Role[] => ['admin', ...allowed];

/** The roles that may call a route, admin included. */
export const rolesFor = (routeKey: string): Role[] => withAdmin(ROLE_MATRIX[routeKey] ?? []);
