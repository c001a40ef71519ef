import { Entity } from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import { validateDeploymentAnnotations } from '@deployments-portal/backstage-plugin-deployments-common';

/**
 * Reports malformed deployments annotations (`deployments/image`,
 * `deployments/health-url`) as catalog errors on the entity, so a typo shows
 * up in the catalog instead of as a failed deployment later.
 *
 * @public
 */
export class DeploymentAnnotationsProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'DeploymentAnnotationsProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    for (const problem of validateDeploymentAnnotations(
      entity.metadata.annotations,
    )) {
      emit(processingResult.inputError(location, problem));
    }
    return entity;
  }
}
