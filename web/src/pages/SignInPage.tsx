import { useState, type FormEvent } from "react";
import { Alert, Button, Card, Label, TextInput } from "flowbite-react";
import { useSession } from "../state/session";
import { ApiError } from "../lib/api";

export default function SignInPage({ notice }: { notice?: string }) {
  const { signIn } = useSession();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError("Enter your user name (or e-mail) and password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      const st = err instanceof ApiError ? err.status : 0;
      if (st === 401 || st === 403) setError("Wrong user name or password.");
      else if (st === 429) setError("Too many attempts. Wait a moment and try again.");
      else if (st === 404) setError("This server does not offer web sign-in yet.");
      else setError((err as Error).message || "Sign-in failed.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2">
          <img src="/favicon.svg" alt="" className="h-10 w-10" />
          <span className="text-3xl font-bold tracking-tight">perch</span>
        </div>
        <Card>
          <h1 className="text-xl font-semibold">Sign in</h1>
          {notice && <Alert color="warning">{notice}</Alert>}
          <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
            <div>
              <Label htmlFor="username" className="mb-1 block">User name or e-mail</Label>
              <TextInput id="username" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false}
                value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
            </div>
            <div>
              <Label htmlFor="password" className="mb-1 block">Password</Label>
              <TextInput id="password" name="password" type="password" autoComplete="current-password"
                value={password} onChange={(e) => setPassword(e.target.value)} required />
            </div>
            {error && <p className="text-sm text-red-600 dark:text-red-400" role="alert" data-testid="signin-error">{error}</p>}
            <Button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</Button>
          </form>
        </Card>
        <p className="mt-4 text-center text-xs text-gray-500 dark:text-gray-400">
          Your instructor gives you an account. Boards connect with MQTT keys you create after signing in.
        </p>
      </div>
    </div>
  );
}
