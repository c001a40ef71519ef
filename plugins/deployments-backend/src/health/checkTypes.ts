import { Entity } from '@backstage/catalog-model';
import { EnvironmentHealth } from '@deployments-portal/backstage-plugin-deployments-common';
import http from 'node:http';
import https from 'node:https';
import { ClusterClients } from '../kubernetes/ClusterClients';
import { EnvironmentConfig } from '../service/readEnvironments';
import { Limiter } from './Limiter';
import {
  EnvironmentHealthSettings,
  HealthSettings,
} from './readHealthSettings';
import { WorkloadHealth } from './readWorkload';
import { TargetGuard } from './TargetGuard';
import { UnreachableMemory } from './UnreachableMemory';

/** What the probes of an environment add to its health. */
export type ProbeOutcome = Pick<
  EnvironmentHealth,
  'target' | 'probes' | 'probeError'
>;

/** What the cluster read of an environment adds to its health. */
export type ClusterOutcome = WorkloadHealth & { kubernetesError?: string };

/** What every check shares, across entities and environments. */
export type CheckContext = {
  clusters: ClusterClients;
  settings: HealthSettings;
  guard: TargetGuard;
  unreachable: UnreachableMemory;
  limiter: Limiter;
  agents: { http: http.Agent; https: https.Agent };
};

/** What one environment's check needs to know. */
export type Check = {
  entity: Entity;
  environment: EnvironmentConfig;
  settings: EnvironmentHealthSettings;
  namespace: string;
  kubernetesId: string;
  signal: AbortSignal;
  budgetMs: number;
  /** Try again what the UnreachableMemory holds. */
  refresh: boolean;
};
