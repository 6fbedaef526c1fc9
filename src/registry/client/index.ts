export * from './registry-service.js';
export * from './registry-transport.js';
export * from './progress.js';
export * from './blob-sources.js';
