export interface Config {
  deployments?: {
    /** Role-based access control of the deployments suite. */
    rbac?: {
      /**
       * Members of this group may do everything with deployments in every
       * environment (deploy, change, restart, roll back, delete, approve).
       * The four-eyes rule still applies: nobody approves their own request.
       * Default `group:default/platform-team`.
       */
      adminGroup?: string;
    };
  };
}
