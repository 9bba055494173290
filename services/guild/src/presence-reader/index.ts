export * from './config';
export * from './grpc-presence-reader';
export * from './presence-payload';
export * from './presence-reader';
export * from './late-presence-reader';
