export interface Config {
  /** Configuration of the self-service deployments suite. */
  deployments?: {
    /** Following rollouts after an apply. */
    rollout?: {
      /** How long a new revision may take to become ready. Default 300. */
      timeoutSeconds?: number;
      /**
       * Restore the previous good revision when a new one does not become
       * ready in time. Default true.
       */
      autoRollback?: boolean;
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
     * The OTAP environments. Keys must be `development`, `test`, `acceptance`
     * or `production`; they are always presented and promoted in that order.
     * When left out, development, test and acceptance run on the cluster
     * `local-nonprod` and production on `local-prod` (the clusters started by
     * `./portal start`).
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
         * Whether a deployment needs an approval by someone other than the
         * requester. Default: true for production, false otherwise.
         */
        requiresApproval?: boolean;
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
