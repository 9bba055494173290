// The WebSocket transport: connections with coalesced, bounded writes, the public server and the
// edge's composition (startGatewayEdge) and settings.
export * from './connection';
export * from './edge';
export * from './edge-config';
export * from './flush-scheduler';
export * from './gateway-server';
export * from './gateway-socket';
