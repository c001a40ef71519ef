import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../cluster';
import { TEST_CLUSTER_ENV } from './testCluster';

/**
 * Jest global setup: starts a private cluster on free ports in a temp folder.
 * When it cannot start, the whole run fails with kube-sim's reason.
 */
export default async function globalSetup() {
  const stateDir = mkdtempSync(join(tmpdir(), 'kube-sim-jest-'));
  const name = `jest-${process.pid}`;
  process.env.KUBE_SIM_TEST_STATE_DIR = stateDir;
  process.env.KUBE_SIM_TEST_NAME = name;
  // eslint-disable-next-line no-console
  console.log(`\n[kube-sim] starting test cluster ${name} in ${stateDir} ...`);
  const cluster = await startCluster({ name, stateDir, port: 0 });
  const file = join(stateDir, 'test-cluster.json');
  writeFileSync(file, JSON.stringify(cluster));
  process.env[TEST_CLUSTER_ENV] = file;
  // eslint-disable-next-line no-console
  console.log(`[kube-sim] test cluster ready at ${cluster.server}`);
}
