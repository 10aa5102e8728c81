import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

export interface AsyncState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
  setData: (f: T | ((old: T | undefined) => T)) => void;
}

/** Runs an async loader when `deps` change (aborting the previous run). */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(undefined);
    loadRef.current(ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        setDataState(d);
        setLoading(false);
      },
      (e: Error) => {
        if (ac.signal.aborted || e?.name === "AbortError") return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((f: T | ((old: T | undefined) => T)) => {
    setDataState((old) => (typeof f === "function" ? (f as (o: T | undefined) => T)(old) : f));
  }, []);
  return { data, error, loading, reload, setData };
}

/** Re-renders every `ms` milliseconds (for "updated 5 s ago"). */
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
