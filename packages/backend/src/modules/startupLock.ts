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

/** pg_advisory_lock key: "deployments-portal startup". */
const LOCK_KEY = 7_355_608_042;
const WAIT_LIMIT_MS = 10 * 60_000;

type Connection = Knex.PgConnectionConfig | string;

export class StartupLock {
  private acquired?: Promise<void>;
  private client?: Knex;

  constructor(
    private readonly connection: Connection,
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
        [LOCK_KEY],
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
      await client.raw('SELECT pg_advisory_unlock(?)', [LOCK_KEY]);
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
  const { database: _d, ...rest } = (connection ??
    {}) as Knex.PgConnectionConfig;
  // The server's default database: the same for every replica.
  return { ...rest, database: 'postgres' };
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
      ? new StartupLock(connection, rootLogger.child({ service: 'startup' }))
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
