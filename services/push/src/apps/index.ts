export * from './push-app';
export * from './parse-apps';
export * from './load-apps';
