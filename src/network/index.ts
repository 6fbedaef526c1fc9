export * from './network-record.js';
export * from './network-service.js';
export { removeFirewall } from './firewall.js';
export { portRequests, portMap } from './ports.js';
