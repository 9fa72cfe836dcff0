import { createContext, useContext } from 'react';
import type { Me } from '../api/operations/accounts';

export interface Session {
  me: Me;
  /** Reads `me` again, e.g. after switching organization. */
  refresh: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in user; pages under the layout only render with one. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
