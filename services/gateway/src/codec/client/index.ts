export * from './frame-reader';
export * from './zlib-stream-inflater';
export * from './zstd-stream-decompressor';
