/** What every page reads: the runtime config, the signed-in person, the typed API, the role check. */
import { createContext, useContext } from 'react';
import type { Api } from '../api/client.ts';
import { type AdminRouteKey, ROUTE_ROLES } from '../api/roles.gen.ts';
import type { Session } from '../auth.ts';
import type { ConsoleConfig } from '../config.ts';

export interface ConsoleContext {
  config: ConsoleConfig;
  session: Session;
  api: Api;
  signOut: () => void;
}

export const Ctx = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('useConsole outside the console');
  return c;
}

/** Whether these roles may call the route (admin may call every admin route), as the API decides. */
export function mayCall(roles: readonly string[], route: AdminRouteKey): boolean {
  if (roles.includes('admin')) return true;
  return (ROUTE_ROLES[route] as readonly string[]).some((r) => roles.includes(r));
}

export function useCan() {
  const { session } = useConsole();
  return (route: AdminRouteKey) => mayCall(session.roles, route);
}
