export * from './volume.js';
export * from './local-store.js';
export * from './volume-service.js';
