export * from './gateway-leases';
export * from './lease-table';
