import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errdefs/index.js';
import type { HostConfig } from '../api/types/container.js';
import { adaptResources, mergeUpdate, specResources, updateResources, verifyResources } from './resources.js';

const host = { numCpu: 2, cpus: '0-1', mems: '0', blkioWeight: false, swapLimit: true, memTotal: 8 << 30 };
const hostLimits = { nofile: { soft: 20000, hard: 20000 } };
const verify = (hc: HostConfig, update = false) => verifyResources(hc, host, { update, hostLimits });
const fails = (hc: HostConfig, kind: 'InvalidArgument' | 'Conflict', re: RegExp, update = false) =>
  assert.throws(() => verify(hc, update), (e: unknown) => isKind(e, kind) && re.test((e as Error).message));

describe('verifyResources: Docker\'s rules', () => {
  test('memory below 6 MB, swap below memory, swap without memory', () => {
    fails({ Memory: 4 << 20 }, 'InvalidArgument', /^Minimum memory limit allowed is 6MB$/);
    fails({ Memory: 64 << 20, MemorySwap: 32 << 20 }, 'InvalidArgument', /Minimum memoryswap limit should be larger than memory limit/);
    fails({ MemorySwap: 32 << 20 }, 'InvalidArgument', /You should always set the Memory limit when using Memoryswap limit/);
    assert.deepEqual(verify({ MemorySwap: 32 << 20 }, true), []);
    fails({ MemoryReservation: 1 << 20 }, 'InvalidArgument', /Minimum memory reservation allowed is 6MB/);
  });

  test('cpus beyond the host, cpusets the host lacks, bad formats', () => {
    fails({ NanoCpus: 3e9 }, 'InvalidArgument', /^Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available$/);
    fails({ CpusetCpus: '7' }, 'InvalidArgument', /^Requested CPUs are not available - requested 7, available: 0-1$/);
    fails({ CpusetCpus: 'x' }, 'InvalidArgument', /^Invalid value x for cpuset cpus/);
    fails({ CpusetMems: '1' }, 'InvalidArgument', /Requested memory nodes are not available/);
    fails({ NanoCpus: 1e9, CpuQuota: 50000 }, 'InvalidArgument', /Nano CPUs and CPU Quota cannot both be set/);
    fails({ CpuPeriod: 500 }, 'InvalidArgument', /CPU cfs period can not be less than 1ms/);
    assert.deepEqual(verify({ NanoCpus: 5e8, CpusetCpus: '0,1', Memory: 64 << 20 }), []);
  });

  test('ulimits above the daemon\'s hard limit; warnings for what the host lacks', () => {
    fails({ Ulimits: [{ Name: 'nofile', Soft: 30000, Hard: 30000 }] }, 'InvalidArgument', /above the daemon's maximum of 20000/);
    const hc: HostConfig = { BlkioWeight: 300 };
    assert.match(verify(hc)[0]!, /does not support Block I\/O weight/);
    assert.equal(hc.BlkioWeight, 0);
    assert.match(verify({ OomKillDisable: true })[0]!, /OOM killer is disabled for the container, but no memory limit is set/);
  });
});

describe('adapt, spec and update', () => {
  test('adaptResources stores Docker\'s defaults; specResources maps --cpus to a CFS quota', () => {
    const hc: HostConfig = { Memory: 64 << 20, NanoCpus: 5e8, PidsLimit: -1 };
    adaptResources(hc);
    assert.equal(hc.MemorySwap, 128 << 20);
    assert.equal(hc.ShmSize, 64 << 20);
    assert.equal(hc.OomKillDisable, false);
    assert.equal(hc.PidsLimit, null);
    assert.deepEqual(Object.fromEntries(Object.entries(specResources(hc)).filter(([, v]) => v !== undefined)), { memory: 64 << 20, memorySwap: 128 << 20, cpuQuota: 50000, cpuPeriod: 100000 });
  });

  test('mergeUpdate: Docker\'s conflicts; the rest merged', () => {
    assert.throws(() => mergeUpdate({ CpuQuota: 50000 }, { NanoCpus: 1e9 }), (e: unknown) => isKind(e, 'Conflict') && /Nano CPUs cannot be updated as CPU Quota has already been set/.test((e as Error).message));
    assert.throws(() => mergeUpdate({ Memory: 64 << 20, MemorySwap: 128 << 20 }, { Memory: 256 << 20 }), /Memory limit should be smaller than already set memoryswap limit/);
    const next = mergeUpdate({ Memory: 64 << 20, MemorySwap: 128 << 20, CpuShares: 512 }, { Memory: 96 << 20, PidsLimit: 20, RestartPolicy: { Name: 'always' } });
    assert.deepEqual(next, { Memory: 96 << 20, MemorySwap: 128 << 20, CpuShares: 512, PidsLimit: 20, RestartPolicy: { Name: 'always' } });
    assert.throws(() => mergeUpdate({ AutoRemove: true }, { RestartPolicy: { Name: 'always' } }), /AutoRemove is enabled/);
  });

  test('updateResources: only what is set, swap as stored, pids -1 to lift a limit', () => {
    assert.deepEqual(updateResources({ Memory: 96 << 20, MemorySwap: 128 << 20, PidsLimit: 0 }), { memory: { limit: 96 << 20, swap: 128 << 20 }, pids: { limit: -1 } });
    assert.deepEqual(updateResources({ Memory: 96 << 20 }), { memory: { limit: 96 << 20 } });
    assert.deepEqual(updateResources({ NanoCpus: 1.5e9, CpusetCpus: '0' }), { cpu: { quota: 150000, period: 100000, cpus: '0' } });
  });
});
