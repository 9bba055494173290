export * from './order-statistic-set';
export * from './sort-key';
export * from './member-list-types';
export * from './member-list';
export * from './subscriptions';
export * from './list-id';
export * from './sharded-map';
