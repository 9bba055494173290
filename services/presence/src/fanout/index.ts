export * from './presence-coalescer';
export * from './coalescer-metrics';
export * from './guild-publisher';
