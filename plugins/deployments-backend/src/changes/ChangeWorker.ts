import { LoggerService } from '@backstage/backend-plugin-api';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ChangeStore, StoredChange } from '../store/ChangeStore';
import { ChangeExecutor } from './ChangeExecutor';
import { ChangeSignals } from './ChangeSignals';

/** How a replica's worker claims and holds changes. */
export type WorkerSettings = {
  /** Changes this replica runs at once (of different deployments). */
  concurrency: number;
  /** How long a claim holds without a heartbeat; renewed every third of it. */
  leaseMs: number;
  /** How often to look for work without a signal (expired leases, lost signals). */
  pollMs: number;
};

type Running = {
  change: StoredChange;
  controller: AbortController;
  done: Promise<unknown>;
};

/**
 * The worker of one backend replica: claims changes from the shared queue
 * (ChangeStore.claim), runs each with the executor while it renews its
 * lease, and claims the next as soon as one ends, a change is queued here or
 * elsewhere (ChangeSignals) or the poll timer fires. Stopping it gives the
 * changes it runs back to the queue, so another replica (or this one after a
 * restart) resumes them from their last step.
 */
export class ChangeWorker {
  static create(options: {
    store: ChangeStore;
    executor: ChangeExecutor;
    signals: ChangeSignals;
    logger: LoggerService;
    settings: WorkerSettings;
    /** Told of every change this worker takes. */
    onClaimed?: (change: StoredChange) => void;
  }): ChangeWorker {
    return new ChangeWorker(
      options.store,
      options.executor,
      options.signals,
      options.logger,
      options.settings,
      options.onClaimed ?? (() => {}),
    );
  }

  /** This replica's name in leases: host, process and a random part. */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString(
    'hex',
  )}`;
  private readonly running = new Map<string, Running>();
  private claiming = false;
  private again = false;
  private stopped = true;
  private poll?: ReturnType<typeof setInterval>;
  private unsubscribe?: () => void;

  private constructor(
    private readonly store: ChangeStore,
    private readonly executor: ChangeExecutor,
    private readonly signals: ChangeSignals,
    private readonly logger: LoggerService,
    private readonly settings: WorkerSettings,
    private readonly onClaimed: (change: StoredChange) => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.signals.subscribe(() => this.wake());
    this.poll = setInterval(() => this.wake(), this.settings.pollMs);
    this.poll.unref?.();
    this.logger.info('Change worker started', {
      worker: this.id,
      concurrency: this.settings.concurrency,
      leaseSeconds: this.settings.leaseMs / 1000,
    });
    this.wake();
  }

  /** Claims as many changes as there are free slots (coalesces calls). */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = true;
    this.claimLoop()
      .catch(error =>
        this.logger.warn('Claiming changes failed; trying again shortly', {
          error: (error as Error).message,
        }),
      )
      .finally(() => {
        this.claiming = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async claimLoop() {
    while (!this.stopped && this.running.size < this.settings.concurrency) {
      this.again = false;
      const change = await this.store.claim(this.id, this.settings.leaseMs);
      if (!change) return;
      if (this.stopped) {
        await this.store.release(change.id, this.id);
        return;
      }
      this.run(change);
    }
  }

  private run(change: StoredChange) {
    this.onClaimed(change);
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      this.store
        .heartbeat(change.id, this.id, this.settings.leaseMs)
        .then(held => {
          if (!held && !controller.signal.aborted) {
            this.logger.warn('Lost the lease of a change; stopping it here', {
              changeId: change.id,
              worker: this.id,
            });
            controller.abort();
          }
        })
        .catch(error =>
          this.logger.warn('Lease heartbeat failed', {
            changeId: change.id,
            error: (error as Error).message,
          }),
        );
    }, Math.max(250, Math.floor(this.settings.leaseMs / 3)));
    this.signals.notify(change.id);
    const done = this.executor
      .run(change, this.id, controller.signal)
      .catch(error =>
        this.logger.error('Change stopped unexpectedly', {
          changeId: change.id,
          error: (error as Error).message,
        }),
      )
      .finally(() => {
        clearInterval(heartbeat);
        this.running.delete(change.id);
        // The next change of this deployment may run now, here or elsewhere.
        this.signals.notify(change.id);
        this.wake();
      });
    this.running.set(change.id, { change, controller, done });
  }

  /**
   * Stops claiming, stops the running changes at their next step and gives
   * them back to the queue; waits at most `timeoutMs` for them to let go.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.poll);
    this.unsubscribe?.();
    const running = [...this.running.values()];
    for (const { controller } of running) controller.abort();
    await Promise.race([
      Promise.all(running.map(r => r.done)),
      new Promise(resolve => setTimeout(resolve, timeoutMs).unref?.()),
    ]);
    await Promise.all(
      running.map(({ change }) =>
        this.store.release(change.id, this.id).catch(() => undefined),
      ),
    );
    if (running.length > 0) {
      this.logger.info('Change worker stopped; running changes handed back', {
        worker: this.id,
        changes: running.map(r => r.change.id).join(', '),
      });
    }
  }

  /** The changes this replica runs now. */
  runningChanges(): string[] {
    return [...this.running.keys()];
  }
}
