import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  HealthState,
  HealthTimelineEntry,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { Knex } from 'knex';
import { migratedClient } from './migrate';
import { iso } from './recordRows';

const STATES = 'deployment_health_states';
const EVENTS = 'deployment_health_events';
const MAX_REASON = 500;

/** What one check of an application in one environment found. */
export type HealthObservation = {
  state: HealthState;
  reason?: string;
  /** Liveness answered 200 (undefined: not probed). */
  up?: boolean;
  /** Readiness answered 200 (undefined: not probed). */
  ready?: boolean;
  /** Readiness response time. */
  probeMs?: number;
};

/** A state that held for the debounce window and differs from what the owners were last told. */
export type HealthAnnouncement = {
  state: HealthState;
  /** What the owners were last told. */
  previous: HealthState;
  /** Since when it holds. */
  since: string;
  reason?: string;
};

/** The last observation per application and environment (for metrics). */
export type StoredHealthState = HealthObservation & {
  entityRef: string;
  environment: string;
  since: string;
  checkedAt: string;
};

type StateRow = {
  entity_ref: string;
  environment: string;
  state: string;
  since: Date | string | number;
  announced_state: string;
  reason: string | null;
  up: boolean | number | null;
  ready: boolean | number | null;
  probe_ms: number | null;
  checked_at: Date | string | number;
};

type EventRow = {
  id: number | string;
  entity_ref: string;
  environment: string;
  from_state: string | null;
  to_state: string;
  at: Date | string | number;
  reason: string | null;
};

/**
 * The continuous health of every deployed application: its last state per
 * environment, the timeline of state changes, and which change the owners
 * were last told of — a change is announced once it has held for the
 * debounce window, so a blip that heals within it is never announced.
 */
export class HealthStateStore {
  static async create(database: DatabaseService): Promise<HealthStateStore> {
    return new HealthStateStore(await migratedClient(database));
  }

  private readonly postgres: boolean;

  private constructor(private readonly knex: Knex) {
    this.postgres = /^(pg|postgres)/.test(String(knex.client.config.client));
  }

  /**
   * Records one observation; a change of state starts a timeline entry.
   * Answers whether it changed, and what to announce, if anything: the state differs from what was
   * last announced and has held for `debounceMs`. The first observation
   * of an application is not announced (nothing changed).
   */
  async observe(
    entityRef: string,
    environment: string,
    observation: HealthObservation,
    options: { debounceMs: number; now?: Date },
  ): Promise<{ changed: boolean; announce?: HealthAnnouncement }> {
    const now = options.now ?? new Date();
    const reason = observation.reason?.slice(0, MAX_REASON) ?? null;
    const measured = {
      reason,
      up: observation.up ?? null,
      ready: observation.ready ?? null,
      probe_ms: observation.probeMs ?? null,
      checked_at: now,
    };
    return this.knex.transaction(async tx => {
      const key = { entity_ref: entityRef, environment };
      const row = await tx<StateRow>(STATES)
        .where(key)
        .modify(query => {
          // Two replicas never observe one application at once (the
          // scheduler runs the monitor on one), but a row lock costs nothing.
          if (this.postgres) query.forUpdate();
        })
        .first();
      if (!row) {
        await tx(STATES).insert({
          ...key,
          ...measured,
          state: observation.state,
          since: now,
          announced_state: observation.state,
        });
        await tx(EVENTS).insert({
          ...key,
          from_state: null,
          to_state: observation.state,
          at: now,
          reason,
        });
        return { changed: true };
      }
      let since = new Date(row.since);
      if (row.state !== observation.state) {
        since = now;
        await tx(EVENTS).insert({
          ...key,
          from_state: row.state,
          to_state: observation.state,
          at: now,
          reason,
        });
      }
      const due =
        observation.state !== row.announced_state &&
        now.getTime() - since.getTime() >= options.debounceMs;
      await tx(STATES)
        .where(key)
        .update({
          ...measured,
          state: observation.state,
          since,
          ...(due ? { announced_state: observation.state } : {}),
        });
      const changed = row.state !== observation.state;
      return due
        ? {
            changed,
            announce: {
              state: observation.state,
              previous: row.announced_state as HealthState,
              since: since.toISOString(),
              ...(reason ? { reason } : {}),
            },
          }
        : { changed };
    });
  }

  /** The timeline of an application, newest first. */
  async timeline(
    entityRef: string,
    options: { environment?: string; limit: number; now?: Date },
  ): Promise<HealthTimelineEntry[]> {
    const rows = await this.knex<EventRow>(EVENTS)
      .where({ entity_ref: entityRef })
      .modify(query => {
        if (options.environment) {
          query.where({ environment: options.environment });
        }
      })
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit);
    const now = (options.now ?? new Date()).getTime();
    // The entry after one (newer, same environment) ends it.
    const newer = new Map<string, number>();
    return rows.map((row: EventRow) => {
      const from = new Date(row.at).getTime();
      const until = newer.get(row.environment);
      newer.set(row.environment, from);
      return {
        environment: row.environment,
        state: row.to_state as HealthState,
        ...(row.from_state ? { previous: row.from_state as HealthState } : {}),
        from: iso(row.at)!,
        ...(until !== undefined
          ? { until: new Date(until).toISOString() }
          : {}),
        durationSeconds: Math.max(
          0,
          Math.round(((until ?? now) - from) / 1000),
        ),
        ...(row.reason ? { reason: row.reason } : {}),
      };
    });
  }

  /** Every application's last observation per environment (or one application's). */
  async states(entityRef?: string): Promise<StoredHealthState[]> {
    const rows = await this.knex<StateRow>(STATES)
      .modify(query => {
        if (entityRef) query.where({ entity_ref: entityRef });
      })
      .select();
    return rows.map((row: StateRow) => ({
      entityRef: row.entity_ref,
      environment: row.environment,
      state: row.state as HealthState,
      ...(row.reason ? { reason: row.reason } : {}),
      ...(row.up === null ? {} : { up: Boolean(row.up) }),
      ...(row.ready === null ? {} : { ready: Boolean(row.ready) }),
      ...(row.probe_ms === null ? {} : { probeMs: Number(row.probe_ms) }),
      since: iso(row.since)!,
      checkedAt: iso(row.checked_at)!,
    }));
  }
}
