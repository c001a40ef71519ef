import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Reads an object from one of the e2e portal's kube-sim clusters with the
 * cluster's admin kubeconfig (scripts/e2e-portal.sh starts them), so a test
 * checks what really runs, not what the portal says.
 */
export function kubectlGet(
  cluster: 'nonprod' | 'prod',
  namespace: string,
  resource: string,
): any | undefined {
  const state = process.env.E2E_KUBE_SIM_STATE;
  if (!state) {
    throw new Error('E2E_KUBE_SIM_STATE is not set (see playwright.config.ts)');
  }
  try {
    const out = execFileSync(
      'kubectl',
      [
        '--kubeconfig',
        join(state, cluster, 'kubeconfig'),
        '-n',
        namespace,
        'get',
        resource,
        '-o',
        'json',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return JSON.parse(out);
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    if (stderr.includes('NotFound')) {
      return undefined;
    }
    throw error;
  }
}
