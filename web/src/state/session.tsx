import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from "../lib/api";
import type { User } from "../lib/types";

type SessionState =
  | { status: "loading" }
  | { status: "signedOut"; notice?: string }
  | { status: "signedIn"; user: User };

interface SessionApi {
  state: SessionState;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const Ctx = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  useEffect(() => {
    let alive = true;
    api.session().then(
      (s) => {
        if (!alive) return;
        setCsrfToken(s.csrf_token);
        setState({ status: "signedIn", user: s.user });
      },
      (e) => {
        if (!alive) return;
        const notice = e instanceof ApiError && e.status !== 401 && e.status !== 404 ? e.message : undefined;
        setState({ status: "signedOut", notice });
      },
    );
    setUnauthorizedHandler(() => {
      setCsrfToken("");
      setState({ status: "signedOut", notice: "Your session has ended. Please sign in again." });
    });
    return () => {
      alive = false;
      setUnauthorizedHandler(null);
    };
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    const s = await api.signIn(username, password);
    setCsrfToken(s.csrf_token);
    setState({ status: "signedIn", user: s.user });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } catch {
      /* signed out locally anyway */
    }
    setCsrfToken("");
    setState({ status: "signedOut" });
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionApi {
  const c = useContext(Ctx);
  if (!c) throw new Error("useSession outside SessionProvider");
  return c;
}

/** The signed-in user (only inside the signed-in part of the app). */
export function useUser(): User {
  const { state } = useSession();
  if (state.status !== "signedIn") throw new Error("not signed in");
  return state.user;
}

export function isInstructor(u: User): boolean {
  return u.role === "instructor" || u.role === "admin";
}
