export * from './presence';
export * from './aggregate';
