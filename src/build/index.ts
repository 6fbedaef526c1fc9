export * from './build-service.js';
export { ClassicBuilder, type BuilderDeps } from './builder.js';
