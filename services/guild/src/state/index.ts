export * from './guild-state';
export { SqlGuildStateLoader } from './sql-state-loader';
export { MalformedPayloadError } from './payload-fields';
