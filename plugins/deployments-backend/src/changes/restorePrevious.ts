import { RenderedManifest } from '@deployments-portal/backstage-plugin-deployments-common';
import {
  applyOrder,
  KubernetesDeployer,
  PartialApplyError,
} from '../kubernetes/KubernetesDeployer';
import { LeaseLostError, StoredChange } from '../store/ChangeStore';

/** How a rollback ended: the change's final status and why. */
export type Restored = {
  status: 'rolled-back' | 'failed';
  message: string;
  /** When the previous revision was ready again (time to restore). */
  restoredAt?: Date;
};

/**
 * Puts back what ran before a failed change: the previous revision's
 * objects (`base`; waiting for its rollout when the new version had been
 * rolled out), or, on a first deploy, removes the objects it created.
 * Undefined when stopped (`signal`) before it knew.
 */
export async function restorePrevious(options: {
  change: StoredChange;
  deployer: KubernetesDeployer;
  manifests: RenderedManifest[];
  base: RenderedManifest[] | undefined;
  timeoutSeconds: number;
  signal: AbortSignal;
}): Promise<Restored | undefined> {
  const { change, deployer, manifests, base, signal } = options;
  const cause = change.error ?? `Revision ${change.revision} failed`;
  try {
    if (!base) {
      await deployer.delete(manifests);
      return {
        status: 'rolled-back',
        message: `${cause}; removed the objects it had created (it was the first deploy)`,
        restoredAt: new Date(),
      };
    }
    await deployer.apply(applyOrder(base));
    await deployer.prune(manifests, base);
    let restored = '';
    if (change.appliedAt) {
      const verdict = await deployer.followRollout(
        change.namespace,
        change.name,
        { deadline: Date.now() + options.timeoutSeconds * 1000, signal },
      );
      if (verdict.outcome === 'aborted') return undefined;
      if (verdict.outcome !== 'ready') {
        restored = ` (which is not ready either: ${verdict.reason})`;
      }
    }
    return {
      status: 'rolled-back',
      message: `${cause}; rolled back to revision ${change.baseRevision}${restored}`,
      restoredAt: restored === '' ? new Date() : undefined,
    };
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    return {
      status: 'failed',
      message: `${cause}; the automatic rollback failed too: ${
        (error as PartialApplyError).cause?.message ?? (error as Error).message
      }`,
    };
  }
}
