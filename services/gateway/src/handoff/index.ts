// Cross-instance resume: the peer gRPC service (origin side), its client (taker side) and how an
// instance id becomes an address.
export * from './grpc-handoff';
export * from './peer-resolver';
export * from './peer-service';
