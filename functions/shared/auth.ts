/**
 * Who is calling an admin route: the JWT claims the API Gateway authorizer (or the local stack,
 * which verifies the same way) put in the request context. `cognito:groups` arrives flattened as
 * "[editor reviewer]".
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnauthorizedError } from '../core/errors.ts';
import type { Actor } from '../core/restriction-admin.ts';

export function actorOf(event: APIGatewayProxyEventV2): Actor {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } })
    .authorizer?.jwt?.claims;
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
