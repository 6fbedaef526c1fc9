export * from './exec-service.js';
export * from './exec-config.js';
