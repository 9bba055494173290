export * from './change-sink';
export * from './owner-metrics';
export * from './presence-owner';
export * from './session-event';
export * from './session-table';
