export * from './config';
export * from './start';
export * from './aggregate';
export * from './owner';
export * from './api';
export * from './store';
export * from './lease';
