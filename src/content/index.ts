export * from './content-store.js';
export * from './local-content-store.js';
