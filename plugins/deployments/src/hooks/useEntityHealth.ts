import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { EntityHealth } from '@deployments-portal/backstage-plugin-deployments-common';
import { deploymentsApiRef } from '../api';

/** How often the Service Health tab and card read the health again. */
export const DEFAULT_HEALTH_REFRESH_MS = 15_000;

export type EntityHealthState = {
  /** The last answer; kept while a newer one loads or after one failed. */
  value?: EntityHealth;
  /** Why the last read failed, if it did. */
  error?: Error;
  loading: boolean;
  /** Probes again now, past the backend's cache (`?refresh=true`). */
  refresh: () => void;
};

/**
 * The health of an application, read again every `intervalMs` (0: never)
 * while the page is visible. A slow read is never overlapped by the next
 * tick, and a late answer never replaces a newer one.
 */
export function useEntityHealth(
  entityRef: string,
  intervalMs: number = DEFAULT_HEALTH_REFRESH_MS,
): EntityHealthState {
  const api = useApi(deploymentsApiRef);
  const [state, setState] = useState<Omit<EntityHealthState, 'refresh'>>({
    loading: true,
  });
  const latest = useRef(0);
  const inFlight = useRef(false);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const load = useCallback(
    async (refresh: boolean) => {
      if (inFlight.current && !refresh) {
        return;
      }
      const id = ++latest.current;
      inFlight.current = true;
      setState(s => ({ ...s, loading: true }));
      try {
        const value = await api.getEntityHealth(entityRef, { refresh });
        if (mounted.current && id === latest.current) {
          setState({ value, loading: false });
        }
      } catch (e) {
        if (mounted.current && id === latest.current) {
          const error = e instanceof Error ? e : new Error(String(e));
          setState(s => ({ value: s.value, error, loading: false }));
        }
      } finally {
        if (id === latest.current) {
          inFlight.current = false;
        }
      }
    },
    [api, entityRef],
  );

  useEffect(() => {
    setState({ loading: true });
    load(false);
    if (!intervalMs) {
      return undefined;
    }
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') {
        load(false);
      }
    }, intervalMs);
    return () => clearInterval(timer);
  }, [load, intervalMs]);

  const refresh = useCallback(() => {
    load(true);
  }, [load]);
  return { ...state, refresh };
}
