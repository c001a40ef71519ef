export interface Config {
  deployments?: {
    docs?: {
      /**
       * The catalog entity whose TechDocs are the suite's documentation: the
       * policy preview's "Why, and how to fix it" links open its pages
       * (`policies/#<policy id>`). Default
       * `component:default/deployments-portal`.
       *
       * @visibility frontend
       */
      entityRef?: string;
    };
  };
}
