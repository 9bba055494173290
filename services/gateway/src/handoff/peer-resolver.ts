// Where another gateway instance serves gRPC, from its instance id (the origin a session id
// names, session-id.ts). In Kubernetes the gateway runs as a StatefulSet behind a headless
// Service, so the instance id is the pod name and `%s.gateway-headless:50051` is its address.

export interface PeerResolver {
  /** The `host:port` of instance `instanceId`, or undefined when it cannot be reached. */
  addressOf(instanceId: string): string | undefined;
}

/** Pod names (DNS labels, dotted): nothing that could turn a template into another address. */
const INSTANCE_ID = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/** GATEWAY_PEER_ADDRESS_TEMPLATE: every `%s` becomes the instance id. */
export class TemplatePeerResolver implements PeerResolver {
  constructor(readonly template: string) {
    if (!template.includes('%s')) throw new Error('peer address template must contain %s');
  }

  addressOf(instanceId: string): string | undefined {
    return INSTANCE_ID.test(instanceId) ? this.template.replaceAll('%s', instanceId) : undefined;
  }
}

/** Fixed instance id → address pairs (tests, static deployments). */
export class StaticPeerResolver implements PeerResolver {
  readonly #addresses = new Map<string, string>();

  set(instanceId: string, address: string): this {
    this.#addresses.set(instanceId, address);
    return this;
  }

  addressOf(instanceId: string): string | undefined {
    return this.#addresses.get(instanceId);
  }
}
