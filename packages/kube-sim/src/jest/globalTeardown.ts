import { rmSync } from 'node:fs';
import { stopCluster } from '../cluster';

export default async function globalTeardown() {
  const stateDir = process.env.KUBE_SIM_TEST_STATE_DIR;
  const name = process.env.KUBE_SIM_TEST_NAME;
  if (!stateDir || !name) {
    return;
  }
  await stopCluster({ name, stateDir });
  rmSync(stateDir, { recursive: true, force: true });
}
