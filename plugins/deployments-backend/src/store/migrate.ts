import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/**
 * The plugin's database client, with every migration applied (unless
 * `database.migrations.skip`). Idempotent: each store may call it.
 */
export async function migratedClient(database: DatabaseService): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await knex.migrate.latest({
      directory: resolvePackagePath(
        '@deployments-portal/backstage-plugin-deployments-backend',
        'migrations',
      ),
    });
  }
  return knex;
}
