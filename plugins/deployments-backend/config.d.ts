export interface Config {
  /** Configuration of the self-service deployments suite. */
  deployments?: {
    /** Following rollouts after an apply. */
    rollout?: {
      /**
       * How long a new revision may take to become ready, from the end of its
       * apply. Default 300.
       */
      timeoutSeconds?: number;
      /**
       * Restore the previous good revision when a new one does not become
       * ready in time. Default true.
       */
      autoRollback?: boolean;
      /**
       * Once the pods of a new revision are Ready, the engine probes the
       * application's readiness contract (GET /api/v2/ready, where the
       * Service Health tab probes it) for a window; a revision that fails
       * it is rolled back like one that never became ready. Applications
       * without a health target are not verified.
       */
      verification?: {
        /** How long readiness must hold, in seconds; 0 switches verification off. Default 10. */
        windowSeconds?: number;
        /** Seconds between probes. Default 2. */
        intervalSeconds?: number;
        /** Failed readiness probes in a row that fail the revision. Default 2. */
        failureThreshold?: number;
      };
    };
    /**
     * The drift check: compares the live objects of every deployment with
     * what its running revision applied, shows the difference on the
     * Deployments tab and dashboard and tells the owners once.
     */
    /**
     * The delivery insights (DORA figures on the dashboard and an
     * application's card): the targets the charts draw as thresholds.
     */
    insights?: {
      /** Default: the architecture decision's success measures. */
      targets?: {
        /** Share of deployments that succeed, 0..1. Default 0.95. */
        successRate?: number;
        /** Mean time from request to Ready, in seconds. Default 300. */
        meanDeploySeconds?: number;
        /** Mean time to restore after a failed change, in seconds. Default 600. */
        timeToRestoreSeconds?: number;
        /** An application's first deployment, request to success, in seconds. Default 900. */
        firstDeploySeconds?: number;
      };
    };
    drift?: {
      /** Default true. */
      enabled?: boolean;
      /**
       * When it runs (a Backstage task schedule: frequency and timeout).
       * Default every 5 minutes with a 4 minute timeout; one replica at a time.
       */
      schedule?: {
        frequency: { cron: string } | string | Record<string, number>;
        timeout: string | Record<string, number>;
        initialDelay?: string | Record<string, number>;
      };
    };
    /**
     * The change engine: every deploy, update, restart, rollback, delete and
     * approved request is a change in the database, run one at a time per
     * deployment by the workers of every backend replica.
     */
    engine?: {
      /** This replica's worker. */
      worker?: {
        /**
         * Whether this replica runs changes. false: it only queues them (the
         * workers of other replicas run them). Default true.
         */
        enabled?: boolean;
      };
      /** Changes one replica runs at once (of different deployments). Default 8. */
      concurrency?: number;
      /**
       * How long a replica's claim on a change holds without a heartbeat; a
       * change whose replica stopped is resumed by another after this.
       * Heartbeats come every third of it. Default 20.
       */
      leaseSeconds?: number;
      /**
       * How often a worker looks for work without a signal (expired leases,
       * signals lost while the database connection was down). Default 5.
       */
      pollIntervalSeconds?: number;
      /**
       * Queued changes one deployment may have; more are refused (409
       * `queue-full`). Default 20.
       */
      maxQueuedPerDeployment?: number;
      /**
       * A change whose replicas stopped this many times while running it
       * fails instead of being resumed again. Default 5.
       */
      maxAttempts?: number;
    };
    /**
     * Namespace of the ingress controller; the rendered NetworkPolicy allows
     * traffic from it. Default `ingress-nginx`.
     */
    ingressNamespace?: string;
    /**
     * Owner of the environment and cluster Resources that
     * catalog-backend-module-deployments publishes. Default
     * `group:default/platform-team`.
     */
    catalogOwner?: string;
    /**
     * Catalog namespace of the environment and cluster Resources that
     * catalog-backend-module-deployments publishes, so they never collide
     * with an adopter's own entities. Default `deployments`.
     */
    catalogNamespace?: string;
    /**
     * The approval gate of environments with `requiresApproval` (production
     * by default): a change there waits as a request until someone other
     * than the requester approves it.
     */
    approvals?: {
      /**
       * Group whose members may approve any application's requests, besides
       * the owning group's members. Default `group:default/release-managers`.
       */
      releaseManagerGroup?: string;
      /**
       * Hours after which an undecided request expires (nothing applied, the
       * requester is notified). Default 72.
       */
      expiresAfterHours?: number;
      /**
       * Where the app shows the approvals page (the frontend plugin's
       * approvals route): the links of notifications and of the scaffolder
       * actions' output point there. Default `/deployments/approvals`.
       */
      pagePath?: string;
    };
    /**
     * Notifications of approvals, outcomes, drift and health: Backstage
     * notifications, and announcements in team chats through incoming
     * webhooks.
     */
    notifications?: {
      /**
       * One webhook that receives every event as the plain JSON body of
       * earlier releases; the same as a `webhooks` entry with format `json`
       * named `default`.
       * @visibility secret
       */
      webhookUrl?: string;
      /**
       * Team chats that announce what happens: each event goes to every
       * webhook whose `environments` and `teams` it matches.
       */
      webhooks?: Array<{
        /**
         * A name for the logs and the audit trail, which never show the
         * URL. Default `webhook-<position>`.
         */
        name?: string;
        /**
         * The chat's incoming webhook URL (it carries the token).
         * @visibility secret
         */
        url: string;
        /**
         * The body: `slack` (Block Kit), `discord` (an embed), `teams` (an
         * Adaptive Card), `googlechat` (text) or `json` (the plain event).
         * Default `json`.
         */
        format?: 'json' | 'slack' | 'discord' | 'teams' | 'googlechat';
        /** Only events of these environments. Default: all. */
        environments?: string[];
        /**
         * Only events of applications these groups own (`team-payments` or
         * `group:default/team-payments`). Default: all.
         */
        teams?: string[];
      }>;
      /**
       * How hard delivery tries. Retries on timeouts, network errors, 429
       * (after its Retry-After) and 5xx, with exponential backoff and
       * jitter; another 4xx is final. A message never delivered is a
       * `notification.failed` audit event, shown on the Deployments tab.
       */
      delivery?: {
        /** One attempt's time limit in seconds. Default 5. */
        attemptTimeoutSeconds?: number;
        /** All attempts of one message together, waits included, in seconds. Default 120. */
        maxDurationSeconds?: number;
        /** The wait before the first retry in seconds; doubled per retry. Default 1. */
        initialBackoffSeconds?: number;
        /** The longest wait between attempts in seconds. Default 30. */
        maxBackoffSeconds?: number;
      };
    };
    /**
     * The Service Health tab: how the backend probes each application's
     * health contract and reads its pods and events.
     */
    health?: {
      /**
       * The scheduled health monitor: checks every deployed application in
       * every environment where it runs (contract and pods), keeps the
       * timeline of its states, exports them as Prometheus gauges and tells
       * the owners of a change that held for the debounce window.
       */
      monitor?: {
        /** Default true. */
        enabled?: boolean;
        /**
         * When it runs (a Backstage task schedule: frequency and timeout).
         * Default every minute with a 5 minute timeout; one replica at a time.
         */
        schedule?: {
          frequency: { cron: string } | string | Record<string, number>;
          timeout: string | Record<string, number>;
          initialDelay?: string | Record<string, number>;
        };
        /** How long a new state must hold before the owners are told, in seconds. Default 120. */
        debounceSeconds?: number;
      };
      /**
       * Time budget of one environment's checks (probes and Kubernetes reads
       * together), in milliseconds. An environment that does not answer in
       * time shows as unreachable without delaying the others. Default 2000.
       */
      timeoutMs?: number;
      /** How many probes may be in flight at once, over all entities. Default 8. */
      concurrency?: number;
      /**
       * How long a result is served from the cache, per entity, in seconds;
       * `?refresh=true` bypasses it, 0 switches caching off. Default 10.
       */
      cacheSeconds?: number;
      /**
       * After a cluster or service did not answer within its budget, checks
       * in the next this-many seconds report it unreachable at once instead
       * of waiting again; `?refresh=true` retries. 0 switches this off.
       * Default 30.
       */
      unreachableRetrySeconds?: number;
      /**
       * Targets the probes may reach although they are refused by default:
       * loopback (any port), unspecified, private, carrier-grade NAT,
       * link-local and unique-local (cloud metadata) addresses, metadata
       * host names and the portal's own backend. Entries are a host
       * (`host`), an endpoint (`host:port`, `[v6]:port`) or an address range
       * (`10.20.0.0/16`).
       */
      allowedTargets?: string[];
    };
    /**
     * The promotion order of the environments, first to last: a build
     * reaches an environment only from the one before it, and the policies
     * of a production environment check that its digest ran there. Default:
     * development, test, acceptance, production (then only those names are
     * allowed). Required when `environments` uses other names; it must list
     * every configured environment exactly once.
     */
    environmentOrder?: string[];
    /**
     * The environments, keyed by name (a lowercase DNS label of at most 30
     * characters, e.g. `staging`). Required: the backend does not start
     * without at least one, each naming its cluster.
     */
    environments?: {
      [name: string]: {
        /**
         * Name of the cluster this environment runs on, exactly as in
         * `kubernetes.clusterLocatorMethods[].clusters[].name`.
         */
        cluster: string;
        /**
         * Namespace pattern for applications in this environment.
         * `{{ application }}` and `{{ environment }}` are replaced.
         * Default: `{{ application }}-{{ environment }}`.
         */
        namespacePattern?: string;
        /**
         * Whether this is a production environment: the policies' strictest
         * defaults apply (image digest, change reference, the digest must
         * have run in the previous environment, at least two replicas,
         * larger resource maxima). Default: true for an environment named
         * `production`, false otherwise.
         */
        production?: boolean;
        /**
         * Whether a deployment needs an approval by someone other than the
         * requester. Default: the same as `production`.
         */
        requiresApproval?: boolean;
        /**
         * Whether a change here needs a change reference (the URL of its
         * ticket). Default: the same as `production`.
         */
        requireChangeReference?: boolean;
        /**
         * A regular expression every change reference here must match
         * (anchor it), e.g. `^https://jira\.example\.com/browse/[A-Z]+-\d+$`.
         * A request with another reference is refused (400) naming the
         * pattern and `changeReferenceExample`.
         */
        changeReferencePattern?: string;
        /** An example reference for the refusal's hint. */
        changeReferenceExample?: string;
        /**
         * Teams with their own tracker: the owning group's rule replaces the
         * environment's pattern, example and (when set) requirement.
         */
        changeReferenceTeams?: Array<{
          /** `team-payments` or `group:default/team-payments`. */
          team: string;
          pattern?: string;
          example?: string;
          required?: boolean;
        }>;
        /**
         * Where the health contract of applications in this environment is
         * probed when their entity has no `deployments/health-url`
         * annotation.
         */
        health?: {
          /**
           * Base URL pattern of an application's service, e.g.
           * `https://{{ application }}.{{ environment }}.acme.internal`.
           */
          urlPattern?: string;
          /**
           * `direct` (default): the backend calls the URL. `service-proxy`:
           * through the cluster API server's service proxy
           * (`/api/v1/namespaces/<ns>/services/<kubernetes-id>:<port>/proxy`),
           * for services only reachable inside the cluster.
           */
          via?: 'direct' | 'service-proxy';
          /** Service port name or number for the service proxy. Default `http`. */
          servicePort?: string | number;
          /** This environment's time budget in milliseconds. Default `deployments.health.timeoutMs`. */
          timeoutMs?: number;
        };
        /**
         * Prices of this environment, for the monthly cost estimate the
         * deploy form, the approval page and the dashboard show, and an
         * optional budget per team that the `cost-budget` policy enforces.
         */
        cost?: {
          /** Price of one CPU core for one hour. Required with `cost`. */
          cpuHour: number;
          /** Price of one GiB of memory for one hour. Required with `cost`. */
          gibHour: number;
          /** ISO 4217 currency code of the prices. Default `EUR`. */
          currency?: string;
          /**
           * Which resources of each replica are priced: `requests` (default)
           * or `limits`.
           */
          basis?: 'requests' | 'limits';
          /**
           * Monthly budget of one team's deployments in this environment
           * (all its applications, autoscaled ones at their maximum); a
           * change that takes the team over it is refused. Default: none.
           */
          budget?: number;
        };
        /**
         * Tuning of the deployment policies in this environment, by policy id
         * (see the policies reference): `enabled: false` switches a policy
         * off, `severity` turns errors into warnings or back, any other key
         * is a parameter of the policy (e.g. `resource-limits.maxCpu`).
         */
        policies?: {
          [policyId: string]: {
            enabled?: boolean;
            severity?: 'error' | 'warning';
            [parameter: string]:
              | string
              | number
              | boolean
              | string[]
              | undefined;
          };
        };
      };
    };
  };
}
