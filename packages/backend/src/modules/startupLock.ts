/*
 * Replicas started together on empty databases race each other's
 * migrations: knex creates its migration tables without a lock and does not
 * wait for a held one, so Backstage's own plugins fail ("relation
 * knex_migrations already exists", "Migration table is already locked") and
 * the process exits. On PostgreSQL, this database service makes replicas
 * start one at a time: the first database client a plugin asks for waits for
 * a session advisory lock (held on a connection of its own), and the lock is
 * released once the backend has started, with every migration done; the
 * next replica then finds the tables migrated. A replica that dies while
 * holding it releases it with its connection. SQLite (one process) is left
 * as it is.
 */
import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import { Config } from '@backstage/config';
import { Knex, knex } from 'knex';
import { createHash } from 'node:crypto';

const WAIT_LIMIT_MS = 10 * 60_000;

/**
 * The advisory lock's key: one per installation (its database prefix), so
 * portals, or test runs, sharing a PostgreSQL server with other prefixes
 * never wait for each other.
 */
export function startupLockKey(config: Config): number {
  const prefix =
    config.getOptionalString('backend.database.prefix') ?? 'backstage_plugin_';
  const digest = createHash('sha256')
    .update(`deployments-portal startup ${prefix}`)
    .digest();
  return digest.readUIntBE(0, 6);
}

type Connection = Knex.PgConnectionConfig | string;

export class StartupLock {
  private acquired?: Promise<void>;
  private client?: Knex;

  constructor(
    private readonly connection: Connection,
    private readonly key: number,
    private readonly logger: LoggerService,
    private readonly waitLimitMs = WAIT_LIMIT_MS,
  ) {}

  /** Resolves once this process holds the lock (or gave up waiting for it). */
  wait(): Promise<void> {
    this.acquired ??= this.acquire();
    return this.acquired;
  }

  private async acquire() {
    // One connection: an advisory lock belongs to its session.
    const client = knex({
      client: 'pg',
      connection: this.connection,
      pool: { min: 1, max: 1 },
    });
    const deadline = Date.now() + this.waitLimitMs;
    let announced = false;
    for (;;) {
      const { rows } = await client.raw<{ rows: Array<{ locked: boolean }> }>(
        'SELECT pg_try_advisory_lock(?) AS locked',
        [this.key],
      );
      if (rows[0]?.locked) {
        this.client = client;
        return;
      }
      if (!announced) {
        this.logger.info(
          'Another replica is starting (migrating the databases); waiting for it',
        );
        announced = true;
      }
      if (Date.now() > deadline) {
        this.logger.warn(
          `Another replica held the start-up lock for ${Math.round(
            this.waitLimitMs / 1000,
          )} s; starting without it`,
        );
        await client.destroy();
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  }

  /** Lets the next replica start. */
  async release() {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.raw('SELECT pg_advisory_unlock(?)', [this.key]);
    } finally {
      await client.destroy();
    }
  }
}

function postgresConnection(config: Config): Connection | undefined {
  if (config.getOptionalString('backend.database.client') !== 'pg') {
    return undefined;
  }
  const connection = config.getOptional('backend.database.connection');
  if (typeof connection === 'string') return connection;
  const settings = (connection ?? {}) as Knex.PgConnectionConfig;
  // The database the connection names (the same for every replica), else the
  // server's default one; an advisory lock is scoped to its database.
  return { ...settings, database: settings.database ?? 'postgres' };
}

/**
 * Backstage's database service, with start-up serialized across replicas on
 * PostgreSQL (see above).
 */
export const serializedStartupDatabaseServiceFactory = createServiceFactory({
  service: coreServices.database,
  deps: {
    config: coreServices.rootConfig,
    lifecycle: coreServices.lifecycle,
    logger: coreServices.logger,
    pluginMetadata: coreServices.pluginMetadata,
    rootLifecycle: coreServices.rootLifecycle,
    rootLogger: coreServices.rootLogger,
  },
  async createRootContext({ config, rootLifecycle, rootLogger }) {
    const manager = DatabaseManager.fromConfig(config, {
      rootLifecycle,
      rootLogger,
    });
    const connection = postgresConnection(config);
    const lock = connection
      ? new StartupLock(
          connection,
          startupLockKey(config),
          rootLogger.child({ service: 'startup' }),
        )
      : undefined;
    if (lock) {
      rootLifecycle.addStartupHook(() => lock.release());
      rootLifecycle.addShutdownHook(() => lock.release());
    }
    return { manager, lock };
  },
  async factory({ pluginMetadata, lifecycle, logger }, { manager, lock }) {
    const database = manager.forPlugin(pluginMetadata.getId(), {
      lifecycle,
      logger,
    });
    if (!lock) return database;
    return {
      ...database,
      getClient: async () => {
        await lock.wait();
        return database.getClient();
      },
    };
  },
});
