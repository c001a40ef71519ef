import { LoggerService } from '@backstage/backend-plugin-api';
import { KubernetesObject } from '@kubernetes/client-node';
import {
  DeploymentRecord,
  DriftedField,
  RenderedManifest,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { performance } from 'node:perf_hooks';
import { Notifier } from '../approvals/Notifier';
import { AuditLog } from '../audit/AuditLog';
import { ClusterClients } from '../kubernetes/ClusterClients';
import { Targets } from '../kubernetes/Targets';
import { DeploymentStore } from '../store/DeploymentStore';
import { DriftStore } from '../store/DriftStore';
import { driftOf } from './compareObjects';
import { liveKey, LiveObjects, ObjectKind } from './LiveObjects';

/** What one drift check did. */
export type DriftCycle = {
  /** Deployments compared (those with no change in progress). */
  deployments: number;
  drifted: number;
  /** Drift seen for the first time (announced). */
  announced: number;
  /** Drift that is gone since the last check. */
  resolved: number;
  /** Kubernetes API requests made. */
  requests: number;
  durationMs: number;
  /** Clusters that could not be read (their deployments kept what was known). */
  unreadable: Array<{ cluster: string; error: string }>;
};

type Running = { record: DeploymentRecord; manifests: RenderedManifest[] };

/**
 * Compares the live objects of every deployment with what its running
 * revision applied (see driftOf), reading each cluster by kind rather than
 * by deployment (LiveObjects). New drift is stored, audited and announced
 * to the owners once; drift that is gone is cleared and audited. Run by the
 * scheduler on one replica at a time.
 */
export class DriftDetector {
  static create(options: {
    records: DeploymentStore;
    drift: DriftStore;
    targets: Targets;
    clusters: ClusterClients;
    notifier: Notifier;
    audit: AuditLog;
    logger: LoggerService;
  }): DriftDetector {
    return new DriftDetector(options);
  }

  /** One reader per cluster, kept across checks (API discovery, 403s learnt). */
  private readonly readers = new Map<string, LiveObjects>();

  private constructor(
    private readonly options: Parameters<typeof DriftDetector.create>[0],
  ) {}

  async check(): Promise<DriftCycle> {
    const started = performance.now();
    const { records, targets } = this.options;
    const running = await records.runningEverywhere();
    const byCluster = new Map<string, Running[]>();
    for (const entry of running) {
      const environment = targets.environments.find(
        e => e.name === entry.record.environment,
      );
      if (!environment) continue;
      const list = byCluster.get(environment.cluster) ?? [];
      list.push(entry);
      byCluster.set(environment.cluster, list);
    }
    const cycle: DriftCycle = {
      deployments: 0,
      drifted: 0,
      announced: 0,
      resolved: 0,
      requests: 0,
      durationMs: 0,
      unreadable: [],
    };
    const seen = new Set<string>();
    await Promise.all(
      [...byCluster].map(async ([cluster, entries]) => {
        let live: Map<string, KubernetesObject>;
        const reader = this.reader(cluster);
        const before = reader?.requests ?? 0;
        try {
          if (!reader) throw new Error(`cluster ${cluster} is not configured`);
          live = await reader.read(kindsOf(entries), namespacesOf(entries));
        } catch (error) {
          cycle.unreadable.push({ cluster, error: (error as Error).message });
          for (const entry of entries) seen.add(keyText(entry.record));
          return;
        } finally {
          cycle.requests += (reader?.requests ?? 0) - before;
        }
        for (const entry of entries) {
          seen.add(keyText(entry.record));
          cycle.deployments += 1;
          const fields = entry.manifests.flatMap(manifest =>
            driftOf(
              manifest,
              live.get(
                liveKey(
                  manifest.kind,
                  manifest.metadata?.namespace ?? entry.record.namespace,
                  manifest.metadata?.name ?? '',
                ),
              ),
            ),
          );
          await this.settle(entry.record, fields, cycle);
        }
      }),
    );
    // Deployments deleted (or not running any more) have no drift.
    for (const stale of await this.options.drift.list()) {
      if (!seen.has(keyText(stale))) await this.options.drift.clear(stale);
    }
    cycle.durationMs = Math.round(performance.now() - started);
    for (const { cluster, error } of cycle.unreadable) {
      this.options.logger.warn('Drift check could not read a cluster', {
        cluster,
        error,
      });
    }
    this.options.logger.info('Drift check done', {
      deployments: cycle.deployments,
      drifted: cycle.drifted,
      announced: cycle.announced,
      resolved: cycle.resolved,
      requests: cycle.requests,
      durationMs: cycle.durationMs,
    });
    return cycle;
  }

  private reader(cluster: string): LiveObjects | undefined {
    let reader = this.readers.get(cluster);
    if (!reader && this.options.clusters.has(cluster)) {
      reader = new LiveObjects(this.options.clusters.kubeConfig(cluster));
      this.readers.set(cluster, reader);
    }
    return reader;
  }

  private async settle(
    record: DeploymentRecord,
    fields: DriftedField[],
    cycle: DriftCycle,
  ) {
    const { drift, audit, notifier } = this.options;
    const where = {
      entityRef: record.entityRef,
      environment: record.environment,
      namespace: record.namespace,
      name: record.name,
    };
    if (fields.length === 0) {
      const cleared = await drift.clear(record);
      if (cleared) {
        cycle.resolved += 1;
        await audit.record({
          actor: 'system',
          action: 'drift.resolve',
          result: 'success',
          ...where,
          message: `the live objects match revision ${record.revision} again`,
        });
      }
      return;
    }
    cycle.drifted += 1;
    const saved = await drift.save(record, {
      entityRef: record.entityRef,
      revision: record.revision,
      fields,
    });
    if (!saved.announce) return;
    cycle.announced += 1;
    const summary = describeDrift(fields);
    await audit.record({
      actor: 'system',
      action: 'drift.detect',
      result: 'failure',
      ...where,
      toVersion: record.image,
      message: `drift from revision ${record.revision}: ${summary}`,
    });
    notifier.drift(record, summary);
  }
}

/** The first few drifted fields in words (the UI has all of them). */
export function describeDrift(fields: DriftedField[]): string {
  const parts = fields.slice(0, 3).map(field => {
    const where = field.path ? `${field.object} ${field.path}` : field.object;
    const by = field.manager ? ` by ${field.manager}` : '';
    if (field.change === 'removed') return `${where} removed${by}`;
    const values =
      field.applied !== undefined && field.live !== undefined
        ? ` (${field.applied} → ${field.live})`
        : '';
    return `${where} changed${values}${by}`;
  });
  const more = fields.length > 3 ? ` and ${fields.length - 3} more` : '';
  return `${parts.join('; ')}${more}`;
}

function kindsOf(entries: Running[]): ObjectKind[] {
  const kinds = new Map<string, ObjectKind>();
  for (const { manifests } of entries) {
    for (const m of manifests) {
      kinds.set(`${m.apiVersion}/${m.kind}`, {
        apiVersion: m.apiVersion,
        kind: m.kind,
      });
    }
  }
  return [...kinds.values()];
}

function namespacesOf(entries: Running[]): string[] {
  return [...new Set(entries.map(e => e.record.namespace))];
}

function keyText(key: {
  environment: string;
  namespace: string;
  name: string;
}) {
  return `${key.environment}/${key.namespace}/${key.name}`;
}
