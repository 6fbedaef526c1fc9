export * from './cgroup-metrics.js';
export { locateCgroup, parseCgroupMounts, parseProcCgroup, readerFor, type CgroupMount } from './cgroup-location.js';
export { V1Reader, type V1Dirs } from './v1-reader.js';
export { V2Reader } from './v2-reader.js';
export { parseNetDev, parseProcStat, readNetDev, readProcStat, type InterfaceStats } from './host-stats.js';
export { readHostResources, parseCpuList, type HostResources } from './host-resources.js';
