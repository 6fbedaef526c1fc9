export * from './registry-server.js';
export * from './registry-storage.js';
export * from './registry-errors.js';
export * from './registry-gc.js';
export * from './registry-auth.js';
