import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { deploymentsReadPermission } from '@deployments-portal/backstage-plugin-deployments-common';
import {
  ApplicationCatalog,
  entityRefOrThrow,
} from '../catalog/ApplicationCatalog';
import { Authorizer } from '../permissions/Authorizer';

/**
 * The entity an application view is about, as the caller may read it: the
 * ref checked (400), deployments read permission on it (403), the entity from
 * the catalog as the caller sees it (404), and its canonical ref.
 */
export async function readableEntity(
  entityRef: string,
  credentials: BackstageCredentials,
  parts: { authorizer: Authorizer; catalog: ApplicationCatalog },
): Promise<{ entity: Entity; canonical: string }> {
  const ref = entityRefOrThrow(entityRef);
  await parts.authorizer.authorize(
    deploymentsReadPermission,
    credentials,
    'read',
    ref,
  );
  const entity = await parts.catalog.find(ref, credentials);
  if (!entity) {
    throw new NotFoundError(
      `${entityRef} is not in the catalog (or not visible to you); register it first or check the entity ref`,
    );
  }
  return { entity, canonical: stringifyEntityRef(entity) };
}
