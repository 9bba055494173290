import { HealthImplementation } from 'grpc-health-check';
import type { ServingStatus } from 'grpc-health-check';
import type { Server } from '@grpc/grpc-js';

// Standard grpc.health.v1 (what Kubernetes gRPC probes and grpc_health_probe ask). The server
// as a whole ("") and each served service flip together: NOT_SERVING until the process says it
// is ready, and NOT_SERVING again as the first step of a graceful shutdown, so load balancers
// stop routing before connections are closed.

export const OVERALL_HEALTH_SERVICE = '';

export class GrpcHealth {
  readonly #implementation: HealthImplementation;
  readonly #services = new Set<string>();
  #serving: boolean;

  constructor(options: { serving?: boolean } = {}) {
    this.#serving = options.serving ?? false;
    this.#implementation = new HealthImplementation({ [OVERALL_HEALTH_SERVICE]: this.#status() });
  }

  get serving(): boolean {
    return this.#serving;
  }

  /** Fully-qualified service names whose status follows the overall one. */
  get services(): ReadonlySet<string> {
    return this.#services;
  }

  /** Adds services (e.g. "switchboard.guild.v1.GuildService") at the current overall status. */
  track(serviceNames: Iterable<string>): void {
    for (const name of serviceNames) {
      this.#services.add(name);
      this.#implementation.setStatus(name, this.#status());
    }
  }

  /** Flips the overall status and every tracked service; watchers are notified. */
  setServing(serving: boolean): void {
    this.#serving = serving;
    for (const name of [OVERALL_HEALTH_SERVICE, ...this.#services]) {
      this.#implementation.setStatus(name, this.#status());
    }
  }

  addToServer(server: Pick<Server, 'addService'>): void {
    // grpc-health-check types its server parameter structurally; grpc-js's Server fits it.
    this.#implementation.addToServer(server as Parameters<HealthImplementation['addToServer']>[0]);
  }

  #status(): ServingStatus {
    return this.#serving ? 'SERVING' : 'NOT_SERVING';
  }
}
