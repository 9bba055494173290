export * from './flags';
export * from './bitset';
export * from './compute';
