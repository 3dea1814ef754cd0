import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { createApi, type Api } from './api.ts';

/**
 * The tenant API key lives in sessionStorage: it survives a reload but not closing the tab, and
 * is never written to localStorage or a cookie. A 401 from any call signs the person out.
 */
const KEY = 'tacto.apiKey';

export type SignOutReason = 'manual' | 'expired';

interface Session {
  apiKey: string | null;
  api: Api | null;
  signOutReason: SignOutReason | null;
  signIn: (apiKey: string) => void;
  signOut: (reason?: SignOutReason) => void;
}

const SessionContext = createContext<Session | null>(null);

const readKey = (): string | null => {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
};

export const SessionProvider = ({ children }: { children: ReactNode }) => {
  const [apiKey, setApiKey] = useState<string | null>(readKey);
  const [signOutReason, setReason] = useState<SignOutReason | null>(null);

  const signOut = useCallback((reason: SignOutReason = 'manual') => {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      /* nothing stored */
    }
    setApiKey(null);
    setReason(reason);
  }, []);

  const signIn = useCallback((key: string) => {
    try {
      sessionStorage.setItem(KEY, key);
    } catch {
      /* the key then lasts for this page only */
    }
    setReason(null);
    setApiKey(key);
  }, []);

  const api = useMemo(() => (apiKey ? createApi(apiKey, () => signOut('expired')) : null), [apiKey, signOut]);
  const value = useMemo(() => ({ apiKey, api, signOutReason, signIn, signOut }), [apiKey, api, signOutReason, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
};

export const useSession = (): Session => {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
};

/** The API client of a signed-in page (the layout guarantees there is one). */
export const useApi = (): Api => {
  const { api } = useSession();
  if (!api) throw new Error('useApi on a page without a session');
  return api;
};
