import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { withErrorCode } from '@deployments-portal/backstage-plugin-deployments-common';

/** The team of applications whose owner the catalog does not tell us. */
export const UNKNOWN_TEAM = 'unknown';

/**
 * What the deployments suite asks the software catalog: the application
 * entity and its owning group, teams for the dashboard, and entity refs
 * checked before they are used. Callers' look-ups run with their own
 * credentials (they see only what they may see); the change engine, which
 * runs without a caller, uses the plugin's own service credentials.
 */
export class ApplicationCatalog {
  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
  }): ApplicationCatalog {
    return new ApplicationCatalog(options.catalog, options.auth);
  }

  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  /** The application's entity, or a 400 saying it is not in the catalog. */
  async application(
    entityRef: string,
    credentials?: BackstageCredentials,
  ): Promise<Entity> {
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials: credentials ?? (await this.auth.getOwnServiceCredentials()),
    });
    if (!entity) {
      throw withErrorCode(
        new InputError(
          `application: ${entityRef} is not in the catalog; register it first or pick an existing component`,
        ),
        'application-not-in-catalog',
      );
    }
    return entity;
  }

  /** The entity if it is in the catalog (and visible to the caller). */
  async find(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<Entity | undefined> {
    return this.catalog.getEntityByRef(entityRef, { credentials });
  }

  /** The owning group of an application, as a full entity ref. */
  ownerOf(entity: Entity): string {
    const owner = entity.spec?.owner;
    if (typeof owner !== 'string' || !owner) {
      throw withErrorCode(
        new InputError(
          `application: ${stringifyEntityRef(
            entity,
          )} has no spec.owner in the catalog; a deployable component needs an owning group`,
        ),
        'application-without-owner',
      );
    }
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  }

  /** The owning team of each application, in one catalog call as the caller. */
  async teamsOf(
    entityRefs: string[],
    credentials?: BackstageCredentials,
  ): Promise<Map<string, string>> {
    const teams = new Map<string, string>();
    if (entityRefs.length === 0) return teams;
    const { items } = await this.catalog.getEntitiesByRefs(
      {
        entityRefs,
        fields: ['kind', 'metadata.namespace', 'metadata.name', 'spec.owner'],
      },
      {
        credentials:
          credentials ?? (await this.auth.getOwnServiceCredentials()),
      },
    );
    items.forEach((entity, i) => {
      if (!entity) return;
      try {
        teams.set(entityRefs[i], this.ownerOf(entity));
      } catch {
        // No or a malformed owner leaves the team unknown.
      }
    });
    return teams;
  }
}

/** An entity ref as the catalog spells it, or a 400 that says how to write one. */
export function entityRefOrThrow(entityRef: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(entityRef));
  } catch (error) {
    throw new InputError(
      `'${entityRef}' is not an entity ref (${
        (error as Error).message
      }); use kind:namespace/name, e.g. component:default/payments-api`,
    );
  }
}

/** A team filter as an entity ref (kind group and namespace default when left out). */
export function teamRefOrThrow(team: string): string {
  if (team === UNKNOWN_TEAM) return team;
  try {
    return stringifyEntityRef(
      parseEntityRef(team, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(
      `team '${team}' is not an entity ref (${
        (error as Error).message
      }); use a group ref such as group:default/team-payments`,
    );
  }
}
