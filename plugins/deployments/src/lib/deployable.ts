import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_IMAGE } from '@deployments-portal/backstage-plugin-deployments-common';

/**
 * The entities the deployments tabs and card belong on, as an entity
 * predicate (the new frontend system's `filter`, overridable in app-config):
 * Components that declare an image repository.
 */
export const deployableEntityPredicate = {
  kind: 'component',
  [`metadata.annotations.${ANNOTATION_IMAGE}`]: { $exists: true },
};

/**
 * Whether an entity is a deployable Component: a Component with the
 * `deployments/image` annotation. For `EntitySwitch.Case if={…}` in apps on
 * the legacy frontend system.
 *
 * @public
 */
export function isDeployableEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    Boolean(entity.metadata.annotations?.[ANNOTATION_IMAGE])
  );
}
