'use client';
import { useCallback, useEffect, useState } from 'react';
import { describeProblem, type ProblemInfo } from './trpc';

/** Load data on mount (and on `reload()`), keeping the last error for display. */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [isLoading, setLoading] = useState(true);
  const run = useCallback(load, keys);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await run());
      setProblem(null);
    } catch (error) {
      setProblem(describeProblem(error));
    } finally {
      setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, problem, isLoading, reload };
}

/** Run a mutation from a form: tracks pending state and the problem to show. */
export function useAction() {
  const [problem, setProblem] = useState<ProblemInfo | null>(null);
  const [isPending, setPending] = useState(false);
  const run = useCallback(async <T>(action: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> => {
    setPending(true);
    setProblem(null);
    try {
      return { ok: true, value: await action() };
    } catch (error) {
      setProblem(describeProblem(error));
      return { ok: false };
    } finally {
      setPending(false);
    }
  }, []);
  return { run, problem, isPending, clear: () => setProblem(null) };
}

/**
 * Live views: call `refresh` every `intervalMs` while the page is visible (and at once when it
 * becomes visible again). Polling, not a push channel: every cloud process answers it from the
 * database, so it shows changes made through any process, behind any proxy.
 */
/**
 * How often monitoring views reload: units send their samples once a period (60 s by default),
 * so a chart has nothing new sooner; status and alerts arrive by server push instead
 * (`useLiveRefresh`), and samples are not announced (one per unit per minute would be the
 * busiest event of the fleet for a view that changes once a minute).
 */
export const MONITORING_REFRESH_MS = 30_000;

export function usePolling(refresh: () => Promise<unknown>, intervalMs = LIVE_REFRESH_MS): void {
  useEffect(() => {
    let running = false;
    const tick = () => {
      if (running || document.visibilityState !== 'visible') return;
      running = true;
      void refresh().finally(() => {
        running = false;
      });
    };
    const timer = setInterval(tick, intervalMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [refresh, intervalMs]);
}

/** How often live views (units, a unit, a service's rollout) refresh. */
export const LIVE_REFRESH_MS = 2500;
