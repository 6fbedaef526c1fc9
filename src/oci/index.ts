export * from './reference.js';
export * from './image-types.js';
