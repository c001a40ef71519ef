import { readFileSync } from 'node:fs';
import { KubeSimCluster } from '../cluster';

/** Env var through which the global setup hands the cluster to test files. */
export const TEST_CLUSTER_ENV = 'KUBE_SIM_TEST_CLUSTER';

/**
 * The cluster started by the Jest global setup of this package. Throws (and
 * so fails the test) when there is none: integration tests never skip.
 */
export function getTestCluster(): KubeSimCluster {
  const file = process.env[TEST_CLUSTER_ENV];
  if (!file) {
    throw new Error(
      `No test cluster: ${TEST_CLUSTER_ENV} is not set. Use '@internal/kube-sim/src/jest/globalSetup.ts' as the Jest globalSetup.`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}
