export * from './get-presences';
