export * from './image-service.js';
export { createImageService, type ImageServiceOptions } from './local-image-service.js';
export { applyChanges } from './import-changes.js';
export type { CommitOptions, ImageCommitter } from './image-commit.js';
export { parseGoDuration, parseTimestamp } from './go-duration.js';
export { ingestLayer } from './layer-ingest.js';
