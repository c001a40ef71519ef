import { Entity } from '@backstage/catalog-model';
import { LoggerService } from '@backstage/backend-plugin-api';
import { HealthContractResult } from '@deployments-portal/backstage-plugin-deployments-common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProbeOutcome } from '../health/checkTypes';
import { StoredChange } from '../store/ChangeStore';

/** How a new revision's readiness is verified once its pods are Ready. */
export type VerificationSettings = {
  /** How long the readiness contract must hold; 0 switches verification off. */
  windowSeconds: number;
  /** Time between two probes. */
  intervalSeconds: number;
  /** Failed readiness probes in a row that fail the revision. */
  failureThreshold: number;
};

/** The verdict on a revision whose pods are Ready. */
export type Verification =
  | { outcome: 'verified'; probes: number }
  /** Nothing to verify against (no health target, target refused): not a failure. */
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'aborted' };

/** Probes an application's health contract in one environment's namespace. */
export type ContractProbe = (
  entity: Entity,
  environment: string,
  namespace: string,
  signal: AbortSignal,
) => Promise<ProbeOutcome>;

/**
 * Verifies a new revision against the application's own readiness contract
 * (`GET /api/v2/ready`, through the service proxy or the configured URL)
 * for a window after its pods became Ready: Kubernetes' readiness probe
 * says the container answers, this says the service can serve (its
 * database, its configuration). `failureThreshold` answers other than 200
 * in a row fail it; one 200 resets the count. A probe that gets no answer
 * at all is inconclusive (the portal may not reach the target): a window
 * without a single answer ends `skipped`, not failed.
 */
export class HealthVerifier {
  static create(options: {
    settings: VerificationSettings;
    application: (entityRef: string) => Promise<Entity>;
    probe: ContractProbe;
    logger: LoggerService;
  }): HealthVerifier {
    return new HealthVerifier(options);
  }

  private constructor(
    private readonly options: Parameters<typeof HealthVerifier.create>[0],
  ) {}

  get enabled(): boolean {
    return this.options.settings.windowSeconds > 0;
  }

  /**
   * The verdict on a change whose pods are Ready, with what its history
   * should say when it passes (`note`): verified, or why not verified.
   */
  async afterReady(
    change: StoredChange,
    signal: AbortSignal,
  ): Promise<
    | { outcome: 'ok'; note: string }
    | Extract<Verification, { outcome: 'failed' | 'aborted' }>
  > {
    if (!this.enabled) return { outcome: 'ok', note: '' };
    const verification = await this.verify(change, signal);
    if (verification.outcome === 'verified') {
      return {
        outcome: 'ok',
        note: `readiness contract held for the verification window (${verification.probes} probes)`,
      };
    }
    if (verification.outcome === 'skipped') {
      return {
        outcome: 'ok',
        note: `readiness contract not verified: ${verification.reason}`,
      };
    }
    return verification;
  }

  async verify(
    change: StoredChange,
    signal: AbortSignal,
  ): Promise<Verification> {
    const { settings, probe } = this.options;
    let entity: Entity;
    try {
      entity = await this.options.application(change.entityRef);
    } catch (error) {
      return {
        outcome: 'skipped',
        reason: `the application could not be read from the catalog: ${
          (error as Error).message
        }`,
      };
    }
    const deadline = Date.now() + settings.windowSeconds * 1000;
    let failures = 0;
    let answered = 0;
    let last = '';
    let silence = '';
    let silent = 0;
    for (;;) {
      if (signal.aborted) return { outcome: 'aborted' };
      const outcome = await probe(
        entity,
        change.environment,
        change.namespace,
        signal,
      );
      if (signal.aborted) return { outcome: 'aborted' };
      if (!outcome.probes) {
        return {
          outcome: 'skipped',
          reason: outcome.probeError ?? 'no health target',
        };
      }
      const readiness = outcome.probes.readiness;
      if (readiness.status === 'up') {
        answered += 1;
        failures = 0;
      } else if (readiness.status === 'down') {
        answered += 1;
        failures += 1;
        last = describeReadiness(outcome.probes);
        if (failures >= settings.failureThreshold) {
          return {
            outcome: 'failed',
            reason: `its readiness contract failed ${failures} time${
              failures === 1 ? '' : 's'
            } in a row after the pods were Ready: ${last}`,
          };
        }
      } else {
        // No answer says nothing about the release (the portal may not
        // reach the target): neither a failure nor a success. A target
        // that has never answered is given up on as soon as a failure
        // would have counted, not after the whole window.
        silence = describeReadiness(outcome.probes);
        silent += 1;
        if (answered === 0 && silent >= settings.failureThreshold) {
          return {
            outcome: 'skipped',
            reason: `the readiness contract did not answer the portal (${silent} probes in a row): ${silence}`,
          };
        }
      }
      const wait = Math.min(
        settings.intervalSeconds * 1000,
        deadline - Date.now(),
      );
      if (wait <= 0) break;
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        return { outcome: 'aborted' };
      }
    }
    if (answered === 0) {
      return {
        outcome: 'skipped',
        reason: `the readiness contract did not answer during the ${settings.windowSeconds}s window (${silence})`,
      };
    }
    if (failures > 0) {
      return {
        outcome: 'failed',
        reason: `its readiness contract was failing when the verification window of ${settings.windowSeconds}s ended: ${last}`,
      };
    }
    return { outcome: 'verified', probes: answered };
  }
}

function describeReadiness(probes: HealthContractResult): string {
  const readiness = probes.readiness;
  const answer =
    readiness.httpStatus !== undefined
      ? `answered ${readiness.httpStatus}`
      : 'did not answer';
  const database = readiness.database
    ? ` (database: ${readiness.database})`
    : '';
  const why = readiness.error ? `: ${readiness.error}` : '';
  return `GET ${readiness.url} ${answer}${database}${why}`;
}
