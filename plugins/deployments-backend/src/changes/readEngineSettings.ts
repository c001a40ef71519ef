import { Config } from '@backstage/config';
import { ExecutorSettings } from './ChangeExecutor';
import { WorkerSettings } from './ChangeWorker';
import { VerificationSettings } from './HealthVerifier';

/** The change engine's settings (`deployments.engine`, `deployments.rollout`). */
export type EngineSettings = {
  workerEnabled: boolean;
  worker: WorkerSettings;
  executor: ExecutorSettings;
  verification: VerificationSettings;
  maxQueuedPerDeployment: number;
};

function atLeastZero(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(
      `Invalid config at ${key}: must be 0 or a positive number, got ${value}`,
    );
  }
  return value;
}

function positive(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(
      `Invalid config at ${key}: must be a positive number, got ${value}`,
    );
  }
  return value;
}

/** Reads the engine's settings; fails at start-up on a value out of range. */
export function readEngineSettings(config: Config): EngineSettings {
  const leaseSeconds = positive(config, 'deployments.engine.leaseSeconds', 20);
  return {
    workerEnabled:
      config.getOptionalBoolean('deployments.engine.worker.enabled') ?? true,
    worker: {
      concurrency: Math.floor(
        positive(config, 'deployments.engine.concurrency', 8),
      ),
      leaseMs: leaseSeconds * 1000,
      pollMs:
        positive(config, 'deployments.engine.pollIntervalSeconds', 5) * 1000,
    },
    executor: {
      timeoutSeconds: positive(
        config,
        'deployments.rollout.timeoutSeconds',
        300,
      ),
      autoRollback:
        config.getOptionalBoolean('deployments.rollout.autoRollback') ?? true,
      maxAttempts: Math.floor(
        positive(config, 'deployments.engine.maxAttempts', 5),
      ),
    },
    verification: {
      windowSeconds: atLeastZero(
        config,
        'deployments.rollout.verification.windowSeconds',
        10,
      ),
      intervalSeconds: positive(
        config,
        'deployments.rollout.verification.intervalSeconds',
        2,
      ),
      failureThreshold: Math.floor(
        positive(
          config,
          'deployments.rollout.verification.failureThreshold',
          2,
        ),
      ),
    },
    maxQueuedPerDeployment: Math.floor(
      positive(config, 'deployments.engine.maxQueuedPerDeployment', 20),
    ),
  };
}
