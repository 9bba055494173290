export * from './mesh';
export * from './demo';
