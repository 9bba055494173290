// The shared runtime every Switchboard service is built from. One import for config, logs,
// metrics, tracing, gRPC, the event log and the database, so services stay thin.
export * from './config';
export * from './logging';
export * from './metrics';
export * from './telemetry';
export * from './http';
export * from './lifecycle';
export * from './grpc';
export * from './event-log';
export * from './db';
export * from './ids';
export * from './permissions';
export * from './service';
export * from './streams';
