export * from './mount-point.js';
export * from './mount-parser.js';
export * from './container-mounts.js';
