export * from './topics';
export * from './scope';
export * from './guild-event';
