export * from './device-store';
