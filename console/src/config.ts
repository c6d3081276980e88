/**
 * The console's runtime configuration: `config.json` beside index.html, written by whoever serves
 * the build — the CDK app on AWS (the API's URL, the deployment's OIDC issuer and client), the local
 * stack at /console/config.json (its local issuer). The same build runs everywhere.
 */
export interface ConsoleConfig {
  /** Base URL of the HTTP API, without a trailing slash. */
  apiUrl: string;
  /** schemas/identity.ts StaffSignIn, and where the issuer's discovery document is. */
  signIn: {
    issuer: string;
    clientId: string;
    audience: string[];
    groupsClaim: string;
    /** Default `${issuer}/.well-known/openid-configuration`. */
    discoveryUrl?: string;
    /** Scopes asked for at the authorization endpoint. */
    scopes?: string[];
  };
  /** Group name → roles (schemas/identity.ts `groups`): which buttons to show; the API still decides. */
  groups: Record<string, string[]>;
  /** Deployment stage, shown in the header (`local` on npm start). */
  stage: string;
  /** Cities with reminder schedules (SERVED_CITIES). */
  servedCities: string[];
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  return (await res.json()) as ConsoleConfig;
}
