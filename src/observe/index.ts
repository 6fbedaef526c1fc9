export * from './observe-service.js';
export * from './ps-output.js';
