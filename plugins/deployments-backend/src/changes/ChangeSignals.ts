import { LoggerService } from '@backstage/backend-plugin-api';
import { EventEmitter } from 'node:events';
import { Knex } from 'knex';

const CHANNEL = 'deployments_changes';
const RECONNECT_MS = 2000;

type Listener = (changeId: string) => void;

/**
 * "A change moved": wakes the workers and the waiters of every replica at
 * once. In-process through an event emitter; across replicas on PostgreSQL
 * through LISTEN/NOTIFY on the plugin's database (one dedicated connection
 * per replica, re-opened when it drops). On SQLite there is one process, so
 * the emitter is all there is. Signals are hints: workers also poll, so a
 * lost signal delays a change by at most the poll interval.
 */
export class ChangeSignals {
  static create(options: {
    knex: Knex;
    logger: LoggerService;
    postgres: boolean;
  }): ChangeSignals {
    return new ChangeSignals(options.knex, options.logger, options.postgres);
  }

  private readonly emitter = new EventEmitter();
  private connection: any;
  private stopped = false;
  private reconnect?: ReturnType<typeof setTimeout>;

  private constructor(
    private readonly knex: Knex,
    private readonly logger: LoggerService,
    private readonly postgres: boolean,
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** Starts listening to the other replicas (PostgreSQL only). */
  async start(): Promise<void> {
    if (!this.postgres || this.stopped) return;
    try {
      const connection = await (this.knex.client as any).acquireRawConnection();
      this.connection = connection;
      connection.on('notification', (message: { payload?: string }) => {
        if (message.payload) this.emitter.emit('change', message.payload);
      });
      const lost = (error?: Error) => {
        if (this.connection !== connection) return;
        this.connection = undefined;
        if (this.stopped) return;
        this.logger.warn(
          'Lost the change signal connection; re-opening it (workers poll meanwhile)',
          { error: error?.message },
        );
        this.later();
      };
      connection.on('error', lost);
      connection.on('end', () => lost());
      await connection.query(`LISTEN ${CHANNEL}`);
      // Anything missed while not listening is found by the next claim.
      this.emitter.emit('change', '');
    } catch (error) {
      this.logger.warn(
        'Could not listen for change signals; retrying (workers poll meanwhile)',
        { error: (error as Error).message },
      );
      this.later();
    }
  }

  private later() {
    clearTimeout(this.reconnect);
    this.reconnect = setTimeout(() => {
      this.start().catch(() => {});
    }, RECONNECT_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      try {
        await (this.knex.client as any).destroyRawConnection(connection);
      } catch {
        // already gone
      }
    }
  }

  /** Tells this replica at once and the others through the database. */
  notify(changeId: string): void {
    this.emitter.emit('change', changeId);
    if (!this.postgres || this.stopped) return;
    this.knex.raw('SELECT pg_notify(?, ?)', [CHANNEL, changeId]).catch(error =>
      this.logger.debug('Change signal not sent', {
        error: (error as Error).message,
      }),
    );
  }

  /** Calls `listener` with the id of every change that moved ('' = any). */
  subscribe(listener: Listener): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
