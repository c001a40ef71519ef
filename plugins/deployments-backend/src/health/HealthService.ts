import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EntityHealth,
  EntityHealthTimeline,
} from '@deployments-portal/backstage-plugin-deployments-common';

/**
 * The Service Health tab's data: the health contract of an application,
 * probed from the backend in every configured environment, with its pods and
 * recent warning events.
 */
export interface HealthService {
  /**
   * Health of a catalog entity in every environment, in the configured order. Answers
   * from a short-lived cache unless `refresh` is set. Throws NotAllowedError
   * without read permission and NotFoundError when the caller cannot see the
   * entity in the catalog.
   */
  getEntityHealth(
    entityRef: CompoundEntityRef,
    options: { credentials: BackstageCredentials; refresh?: boolean },
  ): Promise<EntityHealth>;

  /**
   * The timeline the scheduled monitor recorded for an entity (state
   * changes per environment), newest first; same permission as its health.
   */
  getTimeline(
    entityRef: CompoundEntityRef,
    options: {
      credentials: BackstageCredentials;
      environment?: string;
      limit?: number;
    },
  ): Promise<EntityHealthTimeline>;
}
