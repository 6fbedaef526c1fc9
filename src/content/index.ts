export * from './content-store.js';
export * from './local-content-store.js';
export * from './sha256-stream.js';
