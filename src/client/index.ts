export * from './host.js';
export * from './errors.js';
export * from './transport.js';
export * from './json-lines.js';
export * from './types.js';
export * from './client.js';
