// The gateway's codec layer: encodings (JSON, ETF), dispatch frames stamped per session without
// re-serialising, transport compression (zlib-stream, zstd-stream) and payload compression.
export * from './compression';
export * from './dispatch-frame';
export * from './encoding';
export * from './encodings';
export * from './errors';
export * from './etf-decoder';
export * from './etf-encoding';
export * from './gateway-query';
export * from './json-encoding';
export * from './payload-compression';
export * from './zlib-stream';
export * from './zstd-stream';

