export * from './instance';
export * from './service-host';
export * from './backends';
