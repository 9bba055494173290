export * from './opcodes';
export * from './close-codes';
export * from './intents';
export * from './client-platform';
