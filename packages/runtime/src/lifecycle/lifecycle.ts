// One teardown path per process: resources register a shutdown step as they are created, and
// SIGTERM/SIGINT run the steps in reverse order (servers stop taking work before the things they
// use are closed), bounded by a grace period so a stuck step cannot keep a pod alive forever.
import type { Logger } from 'pino';
import { ConfigError } from '../config/config';

export type LifecycleState = 'running' | 'stopping' | 'stopped';

interface Step {
  name: string;
  run: () => unknown;
}

export interface LifecycleOptions {
  logger: Logger;
  /** Upper bound for the whole shutdown; steps still running then are abandoned. */
  graceMs: number;
}

export class Lifecycle {
  readonly #steps: Step[] = [];
  readonly #options: LifecycleOptions;
  #state: LifecycleState = 'running';
  #stopped: Promise<void> | undefined;

  constructor(options: LifecycleOptions) {
    this.#options = options;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  /** Registers a step; steps run last-registered first. */
  onShutdown(name: string, run: () => unknown): void {
    this.#steps.push({ name, run });
  }

  /** Runs every step once; later calls return the same promise. */
  shutdown(reason: string): Promise<void> {
    this.#stopped ??= this.#run(reason);
    return this.#stopped;
  }

  async #run(reason: string): Promise<void> {
    const { logger, graceMs } = this.#options;
    this.#state = 'stopping';
    logger.info({ reason, graceMs }, 'shutting down');
    const deadline = Date.now() + graceMs;
    for (const step of [...this.#steps].reverse()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        logger.warn({ step: step.name }, 'shutdown grace period over; skipping remaining steps');
        break;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), left);
      });
      try {
        const outcome = await Promise.race([Promise.resolve().then(step.run), timeout]);
        if (outcome === 'timeout') logger.warn({ step: step.name }, 'shutdown step timed out');
      } catch (error) {
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      } finally {
        clearTimeout(timer);
      }
    }
    this.#state = 'stopped';
    logger.info('stopped');
  }

  /** SIGTERM/SIGINT start a graceful shutdown and exit 0 after it; a second signal exits at once. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.#state !== 'running') {
        this.#options.logger.warn({ signal }, 'second signal: exiting now');
        exit(1);
        return;
      }
      void this.shutdown(signal).then(() => exit(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
}

/**
 * Entry point wrapper for main.ts: a bad configuration prints one line naming the variable and
 * exits 2; any other failure to start exits 1. After start, an uncaught error is a bug: it is
 * logged and the process exits (Kubernetes restarts it; acknowledged events are in Kafka).
 */
export function runMain(service: string, main: () => Promise<unknown>): void {
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${service}: uncaught exception: ${error.stack ?? String(error)}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`${service}: unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}\n`);
    process.exit(1);
  });
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${service}: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
