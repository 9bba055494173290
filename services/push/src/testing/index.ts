// Local provider fakes and throwaway credentials for tests and the bench (no jest imports).
export * from './fake-fcm';
export * from './fake-apns';
export * from './fault-injector';
export * from './fake-http2-server';
export * from './test-credentials';
export * from './fake-provider';
