import { EnvironmentName } from './environments';
import { DeploymentDetails, DeploymentDrift, LiveDeploymentState } from './api';
import { DeploymentRecord } from './records';

// What the entity pages and the dashboard read from the backend. The REST
// paths are in openapi.yaml; the shapes live here so the frontend and the
// backend cannot drift apart.

/**
 * One environment of an application on its Deployments tab
 * (`GET /entities/{kind}/{namespace}/{name}/deployments`).
 *
 * @public
 */
export type EnvironmentDeployments = {
  environment: EnvironmentName;
  cluster: string;
  /** The application's namespace in this environment (from the pattern). */
  namespace: string;
  requiresApproval: boolean;
  /** The environment a promotion from here goes to, if any. */
  next?: EnvironmentName;
  /**
   * The application's deployments here: latest record and live state, one
   * per deployment name (usually one). Empty when never deployed.
   */
  deployments: DeploymentDetails[];
  /** Why the live state could not be read for this environment, if so. */
  error?: string;
  /** What the scheduled health monitor last saw here, if it checked. */
  health?: { state: HealthState; since: string; checkedAt: string };
};

/**
 * The Deployments tab of one application, environments in the configured order.
 *
 * @public
 */
export type EntityDeployments = {
  entityRef: string;
  environments: EnvironmentDeployments[];
};

/**
 * Outcome of one probe of the health contract.
 * `up`: the expected 200; `down`: the service answered with another status
 * or an unexpected body; `unreachable`: no answer (refused, timed out, DNS).
 *
 * @public
 */
export type ProbeStatus = 'up' | 'down' | 'unreachable';

/** @public */
export type ProbeResult = {
  status: ProbeStatus;
  /** The URL probed (never with credentials). */
  url: string;
  httpStatus?: number;
  responseTimeMs?: number;
  /** Why it is down or unreachable, in words. */
  error?: string;
};

/**
 * The health contract of one service in one environment:
 * `GET /health` (liveness), `GET /api/v2/ready` (readiness, with the
 * database status it reports) and `GET /api/v2/health` (environment and
 * timestamp).
 *
 * @public
 */
export type HealthContractResult = {
  liveness: ProbeResult;
  readiness: ProbeResult & { database?: string };
  info: ProbeResult & { environment?: string; timestamp?: string };
};

/** A pod of the application, as the Service Health tab shows it. @public */
export type PodSummary = {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  node?: string;
  startedAt?: string;
};

/** A recent warning event, with a suggested fix where one is known. @public */
export type WarningEvent = {
  /** `Kind/name` of the object the event is about. */
  object: string;
  reason: string;
  message: string;
  count: number;
  lastSeen?: string;
  suggestedFix?: string;
};

/**
 * Overall state of an application in one environment, or across all:
 * `healthy` (every probe up, pods ready), `degraded` (serving but something
 * is off: info endpoint down, pods not all ready, warnings), `unhealthy`
 * (liveness or readiness down, or no ready pod), `unreachable` (neither the service nor the
 * cluster answered in time), `not-deployed`.
 *
 * @public
 */
export type HealthState =
  | 'healthy'
  | 'degraded'
  | 'unhealthy'
  | 'unreachable'
  | 'not-deployed';

/** One row of the Service Health tab. @public */
export type EnvironmentHealth = {
  environment: EnvironmentName;
  cluster: string;
  namespace: string;
  state: HealthState;
  /** The base URL probed; absent when no target is configured. */
  target?: string;
  /** Absent when there is no target for this environment. */
  probes?: HealthContractResult;
  /** Why the health contract was not probed (no target, target refused). */
  probeError?: string;
  pods: PodSummary[];
  events: WarningEvent[];
  /** Why pods and events could not be read ("unreachable: …"). */
  kubernetesError?: string;
  live?: LiveDeploymentState;
  checkedAt: string;
  /** How long this environment's checks took. */
  durationMs: number;
};

/**
 * The Service Health tab of one application
 * (`GET /entities/{kind}/{namespace}/{name}/health`).
 *
 * @public
 */
export type EntityHealth = {
  entityRef: string;
  state: HealthState;
  environments: EnvironmentHealth[];
};

/**
 * One period of an application's health in one environment, as the
 * scheduled monitor saw it.
 *
 * @public
 */
export type HealthTimelineEntry = {
  environment: EnvironmentName;
  state: HealthState;
  /** The state before; absent for the first observation. */
  previous?: HealthState;
  /** When it entered this state. */
  from: string;
  /** When it left it; absent while it lasts. */
  until?: string;
  /** How long it lasted (or has lasted so far), in seconds. */
  durationSeconds: number;
  /** Why it was not healthy, in words. */
  reason?: string;
};

/**
 * The health timeline of one application
 * (`GET /entities/{kind}/{namespace}/{name}/health/timeline`), newest first.
 *
 * @public
 */
export type EntityHealthTimeline = {
  entityRef: string;
  entries: HealthTimelineEntry[];
};

/**
 * Delivery figures over a set of deployment records.
 *
 * @public
 */
export type DeliveryFigures = {
  /** Records of action deploy/update/rollback that finished. */
  deployments: number;
  succeeded: number;
  failed: number;
  /** succeeded / deployments, 0..1; absent when there were none. */
  successRate?: number;
  /** Mean time from request to Ready of the successful ones, in seconds. */
  meanDeploySeconds?: number;
  /**
   * Mean time from a failed or rolled-back record to the next successful
   * record of the same deployment, in seconds.
   */
  meanTimeToRecoverySeconds?: number;
};

/** A dashboard row: figures for one team in one environment. @public */
export type TeamEnvironmentFigures = DeliveryFigures & {
  /** Owner entity ref of the applications, e.g. `group:default/team-payments`. */
  team: string;
  environment: EnvironmentName;
};

/** Time to first deployment of one application. @public */
export type FirstDeployment = {
  entityRef: string;
  team: string;
  /** When its first deployment was requested. */
  firstRequestedAt: string;
  /** When its first deployment succeeded, anywhere; absent if never. */
  firstSucceededAt?: string;
  /** Between the two, in seconds. */
  seconds?: number;
};

/**
 * The deployments dashboard (`GET /dashboard`).
 *
 * @public
 */
export type DeploymentsDashboard = {
  /** The configured environment names, in order. */
  environments: EnvironmentName[];
  /**
   * The latest record of every deployment, with the owning team and what the
   * drift check found, if anything.
   */
  deployments: Array<
    DeploymentRecord & { team: string; drift?: DeploymentDrift }
  >;
  /** The most recent failed or rolled-back records, newest first. */
  recentFailures: Array<DeploymentRecord & { team: string }>;
  figures: TeamEnvironmentFigures[];
  firstDeployments: FirstDeployment[];
  /**
   * The monthly estimate of what runs now, per team and environment, in
   * environments with prices (`deployments.environments.<env>.cost`).
   */
  costs?: TeamEnvironmentCost[];
};

/** What a team's running deployments in an environment cost a month. @public */
export type TeamEnvironmentCost = {
  team: string;
  environment: EnvironmentName;
  currency: string;
  /** Deployments running. */
  deployments: number;
  /** At their replicas (autoscaled ones at their minimum). */
  monthly: number;
  /** With autoscaled deployments at their maximum. */
  monthlyMax: number;
};

/**
 * The windows the delivery insights look back over, in days.
 *
 * @public
 */
export const INSIGHTS_WINDOWS = [7, 30, 90] as const;

/** @public */
export type InsightsWindowDays = (typeof INSIGHTS_WINDOWS)[number];

/**
 * The delivery targets of the platform's architecture decision, drawn as
 * thresholds on the charts (`deployments.insights.targets`).
 *
 * @public
 */
export type DeliveryTargets = {
  /** Share of deployments that succeed, 0..1 (ADR: more than 95 %). */
  successRate: number;
  /** Mean time from request to Ready, in seconds (ADR: under 5 min). */
  meanDeploySeconds: number;
  /** Mean time to restore after a failed change, in seconds (ADR: under 10 min). */
  timeToRestoreSeconds: number;
  /** Time from an application's first deploy request to its first success (ADR: under 15 min). */
  firstDeploySeconds: number;
};

/**
 * The four DORA figures (and the ADR's deploy time) over a set of changes.
 *
 * @public
 */
export type DoraFigures = {
  /** Finished deploys, updates and rollbacks. */
  deployments: number;
  succeeded: number;
  /** Failed or rolled back. */
  failed: number;
  /** Deployment frequency: deployments per day of the window. */
  deploymentsPerDay: number;
  /** failed / deployments, 0..1; absent when there were none. */
  changeFailureRate?: number;
  /** Mean time from request to Ready of the successful ones, in seconds. */
  meanDeploySeconds?: number;
  /** Builds that arrived in the environment (each build once). */
  leadTimeSamples: number;
  /**
   * Lead time for changes, in seconds: from the build's `builtAt` (or, without
   * it, the first deploy request of its digest anywhere) to running in the
   * environment; the mean over the builds that arrived.
   */
  meanLeadTimeSeconds?: number;
  /** Failed changes that were restored. */
  restores: number;
  /**
   * Time to restore, in seconds: from a failed change (its failure detected)
   * to the previous version back (automatic rollback) or the next successful
   * change; the mean.
   */
  meanTimeToRestoreSeconds?: number;
};

/**
 * The delivery insights (`GET /insights`): DORA figures for one window,
 * overall, per environment, per team and environment, and over time.
 *
 * @public
 */
export type DeliveryInsights = {
  window: {
    days: InsightsWindowDays;
    from: string;
    until: string;
    /** The width of one step of the series, in days (1 or 7). */
    bucketDays: number;
  };
  targets: DeliveryTargets;
  /** The configured environment names, in order. */
  environments: EnvironmentName[];
  /** Over the whole scope; lead time to the last environment (production). */
  overall: DoraFigures;
  byEnvironment: Array<DoraFigures & { environment: EnvironmentName }>;
  byTeam: Array<DoraFigures & { team: string; environment: EnvironmentName }>;
  /** One entry per step and environment with changes, oldest first. */
  series: Array<
    DoraFigures & {
      /** Start of the step (ISO 8601). */
      start: string;
      environment: EnvironmentName;
    }
  >;
  /** First deployments of the applications in scope that fell in the window. */
  firstDeployments: {
    applications: number;
    /** How many succeeded within the target. */
    withinTarget: number;
    meanSeconds?: number;
  };
};
