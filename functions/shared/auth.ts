/**
 * Who is calling an admin route: the JWT claims the API Gateway authorizer (or the local stack,
 * which verifies the same way) put in the request context. `cognito:groups` arrives flattened as
 * "[editor reviewer]". `authorize` is the one role check every admin route runs (httpRouter runs it
 * before parsing input), against the roles the route declares (schemas/routes.ts).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { permits, type Role, withAdmin } from '../../schemas/roles.ts';
import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import type { Actor } from '../core/vocabulary.ts';

type Claims = Record<string, unknown>;

function claimsOf(event: APIGatewayProxyEventV2): Claims | undefined {
  return (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;
}

/** Whether the gateway authenticated this request with a JWT (an admin route). */
export const hasJwt = (event: APIGatewayProxyEventV2) => claimsOf(event) !== undefined;

export function actorOf(event: APIGatewayProxyEventV2): Actor {
  const claims = claimsOf(event);
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '')
    throw new UnauthorizedError('This route needs a signed-in administrator.');
  const raw = claims?.['cognito:groups'];
  const roles = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];
  return { sub, roles };
}

/** The caller, if one of `allowed` (the route's declared roles) or admin; ForbiddenError naming the roles otherwise. */
export function authorize(event: APIGatewayProxyEventV2, allowed: readonly Role[]): Actor {
  const actor = actorOf(event);
  if (!permits(allowed, actor.roles)) {
    throw new ForbiddenError(`${event.routeKey} needs one of the roles ${withAdmin(allowed).join(', ')}.`);
  }
  return actor;
}

/** The authorized actor of an admin handler; 401 if the request reached it without a verified token. */
export function signedIn(actor: Actor | undefined): Actor {
  if (!actor) throw new UnauthorizedError('This route needs a signed-in administrator.');
  return actor;
}
