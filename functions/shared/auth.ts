/**
 * Who is calling an admin route: the JWT claims the API Gateway authorizer (or the local stack,
 * which verifies and passes them the same way) put in the request context, and the roles their
 * groups claim maps to. `authorize` is the one role check every admin route runs (httpRouter runs it
 * before parsing input), against the roles the route declares (schemas/routes.ts).
 *
 * Which claim carries the groups and what each group means is configuration (schemas/identity.ts):
 * AUTH_GROUPS_CLAIM and AUTH_GROUP_ROLES, set by the CDK builder from the deployment's identity
 * settings; unset, today's Cognito behaviour (`cognito:groups`, groups named like the roles).
 *
 * How the HTTP API JWT authorizer hands claims to the function (payload format 2.0,
 * `requestContext.authorizer.jwt.claims`): a map of strings, whatever the token's JSON types were.
 *   - a string claim arrives unchanged:             "admin" → "admin", "editor admin" → "editor admin"
 *   - a number or boolean arrives as its text:      1795245600 → "1795245600"
 *   - an array arrives flattened, its elements joined by one space inside brackets:
 *       ["editor","reviewer"] → "[editor reviewer]"   [] → "[]"   ["support,admin"] → "[support,admin]"
 * The flattened form therefore cannot tell ["a b"] from ["a","b"], nor the string "[a b]" from
 * either. What it can tell, and how this parser decides:
 *   - no brackets: the claim was a single string, and it is ONE group name, compared whole
 *     ("editor admin" is the name `editor admin`, which no mapping can contain: nothing granted);
 *   - brackets: the names are what lies between single spaces; an empty name (two spaces, a leading
 *     or trailing space: an element that was empty or had surrounding whitespace) or a bracket inside
 *     (a nested array) makes the whole claim ambiguous, and it grants nothing;
 *   - commas are part of a name ("[support,admin]" is the one name `support,admin`);
 *   - a name grants the roles the mapping gives that exact name (case and every code point count);
 *     a name the mapping does not list is ignored;
 *   - anything that is not a string (not what the HTTP API authorizer produces) grants nothing.
 * A group name the provider spells with whitespace would be read as several names; the mapping
 * refuses such names, and the identity provider must not put staff in groups whose names contain
 * whitespace within this claim (Cognito group names cannot; see docs/runbooks/first-deploy.md).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type IdentityClaims, identityClaimsFromEnv } from '../../schemas/identity.ts';
import { functionEnvironment } from '../../schemas/resource-env.ts';
import { permits, type Role, withAdmin } from '../../schemas/roles.ts';
import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import type { Actor } from '../core/vocabulary.ts';

type Claims = Record<string, unknown>;

function claimsOf(event: APIGatewayProxyEventV2): Claims | undefined {
  return (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;
}

/** The group names in a groups claim as the authorizer delivers it; undefined when it is ambiguous. */
export function groupNamesOf(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'string') return undefined;
  if (!(raw.length >= 2 && raw.startsWith('[') && raw.endsWith(']'))) return [raw];
  const inner = raw.slice(1, -1);
  if (inner === '') return [];
  const names = inner.split(' ');
  if (names.some((n) => n === '' || n.includes('[') || n.includes(']'))) return undefined;
  return names;
}

/** The roles a groups claim grants under the claim settings: exact names only, unknown names ignored. */
export function rolesFromGroupsClaim(raw: unknown, settings: IdentityClaims): Role[] {
  const names = groupNamesOf(raw);
  if (!names) return [];
  const roles = new Set<Role>();
  for (const name of names) {
    if (!Object.hasOwn(settings.groups, name)) continue;
    for (const role of settings.groups[name]!) roles.add(role);
  }
  return [...roles];
}

let configured: IdentityClaims | undefined;
/** The deployment's claim settings, read once from the environment (a bad value throws on every call). */
const claimSettings = (): IdentityClaims => {
  configured ??= identityClaimsFromEnv(functionEnvironment());
  return configured;
};

export function actorOf(event: APIGatewayProxyEventV2, settings: IdentityClaims = claimSettings()): Actor {
  const claims = claimsOf(event);
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '')
    throw new UnauthorizedError('This route needs a signed-in administrator.');
  return { sub, roles: rolesFromGroupsClaim(claims?.[settings.groupsClaim], settings) };
}

/** The caller, if one of `allowed` (the route's declared roles) or admin; ForbiddenError naming the roles otherwise. */
export function authorize(event: APIGatewayProxyEventV2, allowed: readonly Role[]): Actor {
  const actor = actorOf(event);
  if (!permits(allowed, actor.roles)) {
    throw new ForbiddenError(`${event.routeKey} needs one of the roles ${withAdmin(allowed).join(', ')}.`);
  }
  return actor;
}
