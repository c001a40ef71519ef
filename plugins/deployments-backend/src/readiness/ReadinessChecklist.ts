import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_EDIT_URL,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ANNOTATION_IMAGE,
  DeploymentRecord,
  EntityReadiness,
  HealthState,
  ReadinessItem,
  secretReferences,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { ApplicationCatalog } from '../catalog/ApplicationCatalog';
import { Targets } from '../kubernetes/Targets';
import { Authorizer } from '../permissions/Authorizer';
import { DeploymentStore } from '../store/DeploymentStore';
import { HealthStateStore, StoredHealthState } from '../store/HealthStateStore';
import { readableEntity } from '../views/readableEntity';

const TECHDOCS_ANNOTATION = 'backstage.io/techdocs-ref';
const DEFAULT_DOCS_ENTITY = 'component:default/deployments-portal';
/** States in which the health contract answered (liveness and readiness up). */
const ANSWERING: HealthState[] = ['healthy', 'degraded'];

type Fix = ReadinessItem['fix'];

/**
 * The readiness checklist of an application: what the catalog says about
 * it (owner, annotations, APIs, docs, runbook), what the health monitor
 * last saw where it runs, and whether the Secrets its running deployments
 * reference exist. Reads what the backend already knows plus the metadata
 * of those Secrets; never a Secret's value, never a new probe.
 */
export class ReadinessChecklist {
  static create(options: {
    catalog: ApplicationCatalog;
    authorizer: Authorizer;
    records: DeploymentStore;
    healthStates: HealthStateStore;
    targets: Targets;
    /** The catalog entity whose TechDocs are the suite's documentation. */
    docsEntityRef?: string;
    /** Budget for reading one cluster's Secrets. */
    clusterTimeoutMs: number;
  }): ReadinessChecklist {
    return new ReadinessChecklist(options);
  }

  private readonly docsRoot: string;

  private constructor(
    private readonly options: Parameters<typeof ReadinessChecklist.create>[0],
  ) {
    const docs = parseEntityRef(options.docsEntityRef ?? DEFAULT_DOCS_ENTITY, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
    this.docsRoot = `/docs/${docs.namespace}/${docs.kind.toLocaleLowerCase(
      'en-US',
    )}/${docs.name}`;
  }

  async forEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityReadiness> {
    const { entity, canonical } = await readableEntity(
      entityRef,
      credentials,
      this.options,
    );
    const [owner, running, states] = await Promise.all([
      this.owner(entity, credentials),
      this.options.records.runningRecords({ entityRefs: [canonical] }),
      this.options.healthStates.states(canonical),
    ]);
    const items: ReadinessItem[] = [
      owner,
      this.imageAnnotation(entity),
      this.health(running, states),
      this.apiDocs(entity),
      this.techdocs(entity),
      this.runbook(entity),
      await this.secrets(running),
    ];
    return {
      entityRef: canonical,
      score: {
        passed: items.filter(item => item.status === 'ok').length,
        total: items.length,
      },
      items,
    };
  }

  private editFix(entity: Entity, title: string): Fix {
    const url = entity.metadata.annotations?.[ANNOTATION_EDIT_URL];
    return url
      ? { title, url }
      : {
          title: 'How to complete catalog-info.yaml',
          url: this.docs('managing/#readiness-checklist'),
        };
  }

  private docs(page: string): string {
    return `${this.docsRoot}/${page}`;
  }

  private async owner(
    entity: Entity,
    credentials: BackstageCredentials,
  ): Promise<ReadinessItem> {
    const base = { id: 'owner', title: 'Owner' } as const;
    const fix = this.editFix(entity, 'Set spec.owner in catalog-info.yaml');
    const owner = entity.spec?.owner;
    if (typeof owner !== 'string' || !owner) {
      return {
        ...base,
        status: 'missing',
        detail: 'spec.owner is not set; name the owning group',
        fix,
      };
    }
    let ownerRef: string;
    try {
      ownerRef = stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      );
    } catch {
      return {
        ...base,
        status: 'missing',
        detail: `spec.owner '${owner}' is not an entity ref`,
        fix,
      };
    }
    if (!ownerRef.startsWith('group:')) {
      return {
        ...base,
        status: 'missing',
        detail: `spec.owner is ${ownerRef}, not a Group; name the owning team`,
        fix,
      };
    }
    const group = await this.options.catalog.find(ownerRef, credentials);
    return group
      ? { ...base, status: 'ok', detail: `Owned by ${ownerRef}` }
      : {
          ...base,
          status: 'missing',
          detail: `spec.owner ${ownerRef} is not a Group in the catalog`,
          fix,
        };
  }

  private imageAnnotation(entity: Entity): ReadinessItem {
    const image = entity.metadata.annotations?.[ANNOTATION_IMAGE];
    return image
      ? {
          id: 'image-annotation',
          title: 'Image annotation',
          status: 'ok',
          detail: `${ANNOTATION_IMAGE}: ${image}`,
        }
      : {
          id: 'image-annotation',
          title: 'Image annotation',
          status: 'missing',
          detail: `No ${ANNOTATION_IMAGE} annotation; add the image repository, e.g. ghcr.io/acme/payments-api`,
          fix: this.editFix(
            entity,
            `Add ${ANNOTATION_IMAGE} to catalog-info.yaml`,
          ),
        };
  }

  private health(
    running: DeploymentRecord[],
    states: StoredHealthState[],
  ): ReadinessItem {
    const base = {
      id: 'health',
      title: 'Health contract',
      fix: {
        title: 'The health contract',
        url: this.docs('health-contract/'),
      },
    } as const;
    const environments = [...new Set(running.map(r => r.environment))];
    if (environments.length === 0) {
      return {
        ...base,
        status: 'unknown',
        detail: 'Not running in any environment yet; checked once deployed',
      };
    }
    const failing: string[] = [];
    const unchecked: string[] = [];
    for (const environment of environments) {
      const seen = states.find(s => s.environment === environment);
      if (!seen) unchecked.push(environment);
      else if (!ANSWERING.includes(seen.state)) {
        failing.push(`${environment} (${seen.state})`);
      }
    }
    if (failing.length > 0) {
      return {
        ...base,
        status: 'missing',
        detail: `Not answering in ${failing.join(', ')}`,
      };
    }
    if (unchecked.length > 0) {
      return {
        ...base,
        status: 'unknown',
        detail: `Not checked yet in ${unchecked.join(', ')}`,
      };
    }
    const { fix: _fix, ...ok } = base;
    return {
      ...ok,
      status: 'ok',
      detail: `Answers in ${environments.join(', ')}`,
    };
  }

  private apiDocs(entity: Entity): ReadinessItem {
    const declared = entity.spec?.providesApis;
    const apis = new Set<string>(
      Array.isArray(declared)
        ? declared.filter((a): a is string => typeof a === 'string')
        : [],
    );
    for (const relation of entity.relations ?? []) {
      if (relation.type === 'providesApi') apis.add(relation.targetRef);
    }
    return apis.size > 0
      ? {
          id: 'api-docs',
          title: 'API documentation',
          status: 'ok',
          detail: `Provides ${[...apis].join(', ')}`,
        }
      : {
          id: 'api-docs',
          title: 'API documentation',
          status: 'missing',
          detail: 'Provides no APIs; list them in spec.providesApis',
          fix: this.editFix(
            entity,
            'Add spec.providesApis to catalog-info.yaml',
          ),
        };
  }

  private techdocs(entity: Entity): ReadinessItem {
    const ref = entity.metadata.annotations?.[TECHDOCS_ANNOTATION];
    return ref
      ? {
          id: 'techdocs',
          title: 'TechDocs',
          status: 'ok',
          detail: `${TECHDOCS_ANNOTATION}: ${ref}`,
        }
      : {
          id: 'techdocs',
          title: 'TechDocs',
          status: 'missing',
          detail: `No ${TECHDOCS_ANNOTATION} annotation`,
          fix: this.editFix(
            entity,
            `Add ${TECHDOCS_ANNOTATION} to catalog-info.yaml`,
          ),
        };
  }

  private runbook(entity: Entity): ReadinessItem {
    const link = (entity.metadata.links ?? []).find(l =>
      [l.type, l.title].some(text => /runbook/i.test(text ?? '')),
    );
    return link
      ? {
          id: 'runbook',
          title: 'Runbook',
          status: 'ok',
          detail: `Runbook: ${link.url}`,
        }
      : {
          id: 'runbook',
          title: 'Runbook',
          status: 'missing',
          detail:
            'No runbook link; add one to catalog-info.yaml (metadata.links, type or title runbook)',
          fix: this.editFix(entity, 'Add a runbook link to catalog-info.yaml'),
        };
  }

  /** Every Secret referenced by a running deployment, looked up by metadata only. */
  private async secrets(running: DeploymentRecord[]): Promise<ReadinessItem> {
    const base = {
      id: 'secrets',
      title: 'Secrets',
    } as const;
    const fix = {
      title: 'Secrets of a deployment',
      url: this.docs('policies/#secret-exists'),
    };
    if (running.length === 0) {
      return {
        ...base,
        status: 'unknown',
        detail: 'Not running in any environment yet; checked once deployed',
      };
    }
    const checks = await Promise.all(
      running.map(async record => {
        const names = [
          ...new Set(secretReferences(record.request).map(r => r.secret)),
        ];
        if (names.length === 0) return { record, names, missing: [] };
        try {
          const found = await this.withinBudget(
            this.options.targets
              .deployer(record.environment)
              .secrets(record.namespace, names),
            record,
          );
          return {
            record,
            names,
            missing: names.filter(name => found[name] === null),
          };
        } catch (error) {
          return {
            record,
            names,
            missing: [],
            error: `${record.environment}: ${(error as Error).message}`,
          };
        }
      }),
    );
    const missing = checks.flatMap(c =>
      c.missing.map(
        name =>
          `Secret ${name} in namespace ${c.record.namespace} (${c.record.environment})`,
      ),
    );
    const errors = checks.flatMap(c => (c.error ? [c.error] : []));
    if (missing.length > 0) {
      return {
        ...base,
        status: 'missing',
        detail: `Missing: ${missing.join('; ')}${
          errors.length > 0 ? `; not checked: ${errors.join('; ')}` : ''
        }`,
        fix,
      };
    }
    if (errors.length > 0) {
      return {
        ...base,
        status: 'unknown',
        detail: `Could not read: ${errors.join('; ')}`,
      };
    }
    const count = new Set(
      checks.flatMap(c => c.names.map(n => `${c.record.namespace}/${n}`)),
    ).size;
    return {
      ...base,
      status: 'ok',
      detail:
        count === 0
          ? 'No running deployment references a Secret'
          : `All ${count} referenced Secret${count === 1 ? '' : 's'} exist`,
    };
  }

  private async withinBudget<T>(
    read: Promise<T>,
    record: DeploymentRecord,
  ): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `the cluster of ${record.environment} did not answer within ${this.options.clusterTimeoutMs} ms`,
            ),
          ),
        this.options.clusterTimeoutMs,
      );
    });
    try {
      return await Promise.race([read, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
