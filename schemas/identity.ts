/**
 * Who the staff are: the identity settings of a deployment, in ONE schema. The CDK app validates
 * them from context (`-c identity=…`, lib/aws/deployment.ts) and builds the HTTP API's JWT
 * authorizer from them; the admin handlers map the provider's groups claim to roles with the same
 * `claims` part (functions/shared/auth.ts reads it from the environment the builder sets); the
 * local stack issues tokens that carry the same claim (lib/local/jwt.ts). The staff console, when
 * it exists, signs in with `StaffSignIn` (issuer, client id, audience), which the stateful stack
 * publishes as its `StaffSignIn` output: it reads that at run time rather than a second copy.
 *
 *   provider: cognito – a user pool this app creates (only where Cognito user pools exist); its
 *                       groups are the keys of `groups`, the claim is `cognito:groups`.
 *   provider: oidc    – any OpenID Connect issuer (the department's identity platform, Keycloak,
 *                       Authing, …): the authorizer checks `issuer` and `audience`; roles come
 *                       from the `groupsClaim` claim through `groups`.
 */
import * as z from 'zod';
import { ROLES, type Role } from './roles.ts';

/**
 * A group name as the identity provider spells it. API Gateway hands an array claim to the function
 * flattened as "[a b]" (functions/shared/auth.ts), so a name with whitespace, brackets or commas
 * could not be told apart from two names or from a list: such names cannot be mapped.
 */
export const GroupNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(
    /^[^\s[\],]+$/,
    'a group name that carries a role may not contain whitespace, brackets or commas (API Gateway flattens array claims to "[a b]", so such a name is ambiguous)',
  );

const RoleSchema = z.enum(ROLES);

/** group name → role(s). Exact names only; a group the mapping does not name grants nothing. */
export const GroupRolesSchema = z
  .record(z.string(), z.union([RoleSchema, z.array(RoleSchema).min(1)]))
  .superRefine((m, ctx) => {
    if (Object.keys(m).length === 0)
      ctx.addIssue({ code: 'custom', message: 'map at least one group to a role' });
    for (const name of Object.keys(m)) {
      const checked = GroupNameSchema.safeParse(name);
      if (!checked.success)
        ctx.addIssue({ code: 'custom', path: [name], message: checked.error.issues[0]!.message });
    }
  })
  .transform(
    (m): Record<string, Role[]> =>
      Object.fromEntries(Object.entries(m).map(([g, r]) => [g, [...new Set([r].flat())]])),
  );

/** Claims the token's validity rests on; none of them can carry groups. */
const RESERVED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'scope', 'token_use'];

/** The part the functions and the local stack need: which claim carries the groups, and what they mean. */
export const IdentityClaimsSchema = z.strictObject({
  groupsClaim: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^\s]+$/, 'a claim name has no whitespace')
    .refine((c) => !RESERVED_CLAIMS.includes(c), 'the groups claim cannot be a registered JWT claim'),
  groups: GroupRolesSchema,
});
export type IdentityClaims = z.output<typeof IdentityClaimsSchema>;

/** Today's behaviour: Cognito's `cognito:groups`, groups named like the roles. */
export const DEFAULT_IDENTITY_CLAIMS: IdentityClaims = IdentityClaimsSchema.parse({
  groupsClaim: 'cognito:groups',
  groups: Object.fromEntries(ROLES.map((r) => [r, r])),
});

const HttpsUrl = z
  .url({ protocol: /^https$/ })
  .refine((u) => !/[?#]/.test(u), 'an issuer URL has no query or fragment');

export const IdentitySettingsSchema = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('cognito'),
    groups: GroupRolesSchema.default(DEFAULT_IDENTITY_CLAIMS.groups),
  }),
  z.strictObject({
    provider: z.literal('oidc'),
    /** Exactly the `iss` of the provider's tokens; API Gateway reads `{issuer}/.well-known/openid-configuration`. */
    issuer: HttpsUrl,
    /** Accepted `aud` (or `client_id`) values; at least one. */
    audience: z.array(z.string().min(1).max(256)).min(1),
    /** The staff console's (public) OIDC client id. */
    clientId: z.string().min(1).max(256),
    groupsClaim: IdentityClaimsSchema.shape.groupsClaim,
    groups: GroupRolesSchema,
  }),
]);
export type IdentitySettingsInput = z.input<typeof IdentitySettingsSchema>;
export type IdentitySettings = z.output<typeof IdentitySettingsSchema>;

/** What a sign-in client needs (the console's runtime config). Cognito's values are known after deploy. */
export const StaffSignInSchema = z.strictObject({
  issuer: z.string().min(1),
  clientId: z.string().min(1),
  audience: z.array(z.string().min(1)).min(1),
  groupsClaim: z.string().min(1),
});
export type StaffSignIn = z.infer<typeof StaffSignInSchema>;

export const claimsOf = (identity: IdentitySettings): IdentityClaims => ({
  groupsClaim: identity.provider === 'cognito' ? 'cognito:groups' : identity.groupsClaim,
  groups: identity.groups,
});

/** How the builders hand the claim settings to the functions (functions/shared/auth.ts reads them). */
export const IDENTITY_ENV = { groupsClaim: 'AUTH_GROUPS_CLAIM', groups: 'AUTH_GROUP_ROLES' } as const;

export const identityEnvironment = (claims: IdentityClaims): Record<string, string> => ({
  [IDENTITY_ENV.groupsClaim]: claims.groupsClaim,
  [IDENTITY_ENV.groups]: JSON.stringify(claims.groups),
});

/**
 * The claim settings from a function's environment; the defaults when neither variable is set (the
 * local stack and today's Cognito deployments). One set without the other, or a value that does not
 * parse, is a configuration error: thrown, never guessed.
 */
export function identityClaimsFromEnv(env: Record<string, string | undefined>): IdentityClaims {
  const claim = env[IDENTITY_ENV.groupsClaim];
  const groups = env[IDENTITY_ENV.groups];
  if (claim === undefined && groups === undefined) return DEFAULT_IDENTITY_CLAIMS;
  if (claim === undefined || groups === undefined)
    throw new Error(`${IDENTITY_ENV.groupsClaim} and ${IDENTITY_ENV.groups} are set together or not at all`);
  let parsedGroups: unknown;
  try {
    parsedGroups = JSON.parse(groups);
  } catch {
    throw new Error(`${IDENTITY_ENV.groups} is not JSON`);
  }
  const parsed = IdentityClaimsSchema.safeParse({ groupsClaim: claim, groups: parsedGroups });
  if (!parsed.success)
    throw new Error(
      `invalid identity claim settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The group a role is issued as (the local token issuer): the first group the mapping gives that role. */
export function groupForRole(claims: IdentityClaims, role: string): string {
  const group = Object.entries(claims.groups).find(([, roles]) => (roles as string[]).includes(role))?.[0];
  if (!group) throw new Error(`no group is mapped to the role '${role}'`);
  return group;
}
