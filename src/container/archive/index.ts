export * from './files-service.js';
export * from './path-stat.js';
export * from './changes.js';
export { RootedFs } from './rooted-fs.js';
