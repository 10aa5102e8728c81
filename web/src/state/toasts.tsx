import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { Toast, ToastToggle } from "flowbite-react";

export type ToastKind = "info" | "success" | "warning" | "error";

export interface ToastMsg {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
  count: number;
}

interface ToastApi {
  notify(kind: ToastKind, title: string, message?: string): void;
}

const Ctx = createContext<ToastApi | null>(null);
const MAX = 5;

const STYLE: Record<ToastKind, { icon: string; cls: string }> = {
  info: { icon: "i", cls: "bg-cyan-100 text-cyan-700 dark:bg-cyan-800 dark:text-cyan-200" },
  success: { icon: "✓", cls: "bg-green-100 text-green-700 dark:bg-green-800 dark:text-green-200" },
  warning: { icon: "!", cls: "bg-amber-100 text-amber-700 dark:bg-amber-700 dark:text-amber-100" },
  error: { icon: "×", cls: "bg-red-100 text-red-700 dark:bg-red-800 dark:text-red-200" },
};

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastMsg[]>([]);
  const next = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    setItems((xs) => xs.filter((x) => x.id !== id));
    const t = timers.current.get(id);
    if (t) clearTimeout(t);
    timers.current.delete(id);
  }, []);

  const arm = useCallback((id: number, kind: ToastKind) => {
    const old = timers.current.get(id);
    if (old) clearTimeout(old);
    timers.current.set(id, setTimeout(() => dismiss(id), kind === "error" ? 10_000 : 6_000));
  }, [dismiss]);

  const notify = useCallback((kind: ToastKind, title: string, message?: string) => {
    setItems((xs) => {
      // The same notice again (throttle notices come about once a second): count it instead.
      const same = xs.find((x) => x.kind === kind && x.title === title && x.message === message);
      if (same) {
        arm(same.id, kind);
        return xs.map((x) => (x === same ? { ...x, count: x.count + 1 } : x));
      }
      const id = next.current++;
      arm(id, kind);
      const out = [...xs, { id, kind, title, message, count: 1 }];
      return out.length > MAX ? out.slice(out.length - MAX) : out;
    });
  }, [arm]);

  const value = useMemo(() => ({ notify }), [notify]);
  return (
    <Ctx.Provider value={value}>
      {children}
      <div className="pointer-events-none fixed right-2 bottom-2 z-[60] flex w-[min(24rem,calc(100vw-1rem))] flex-col gap-2 sm:right-4 sm:bottom-4"
        role="region" aria-live="polite" aria-label="Notifications">
        {items.map((t) => (
          <Toast key={t.id} className="pointer-events-auto max-w-none" data-testid={`toast-${t.kind}`}>
            <div className={`inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-lg font-bold ${STYLE[t.kind].cls}`}>
              {STYLE[t.kind].icon}
            </div>
            <div className="ml-3 min-w-0 text-sm font-normal">
              <div className="font-semibold text-gray-900 dark:text-white">
                {t.title}{t.count > 1 ? ` (×${t.count})` : ""}
              </div>
              {t.message && <div className="break-words">{t.message}</div>}
            </div>
            <ToastToggle onDismiss={() => dismiss(t.id)} />
          </Toast>
        ))}
      </div>
    </Ctx.Provider>
  );
}

export function useToasts(): ToastApi {
  const c = useContext(Ctx);
  if (!c) throw new Error("useToasts outside ToastProvider");
  return c;
}
