export * from './container-service.js';
export * from './container-store.js';
export * from './container-record.js';
export * from './container-config.js';
