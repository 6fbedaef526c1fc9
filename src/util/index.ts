export * from './atomic-write.js';
export * from './digest.js';
export * from './stream-framing.js';
export * from './filters.js';
export * from './run-command.js';
export * from './logger.js';
export * from './path-in-root.js';
export * from './keyed-lock.js';
