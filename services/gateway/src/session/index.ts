// The session layer: the Gateway v10 state machine, its ports, the replay buffer, the heartbeat
// wheel, the fan-out registry and the edge metrics. Fakes and test helpers are imported directly.
export * from './commands';
export * from './environment';
export * from './heartbeat-wheel';
export * from './metrics';
export * from './ports';
export * from './replay-buffer';
export * from './session';
export * from './session-id';
export * from './session-registry';
export * from './ready-payload';
