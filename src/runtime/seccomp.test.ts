import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errdefs/index.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { convertSeccompProfile, defaultSeccompProfile, type DockerSeccompProfile } from './seccomp.js';

const allowed = (names: string[], syscall: string): boolean => names.includes(syscall);
const namesOf = (p: ReturnType<typeof convertSeccompProfile>): string[] => p.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW' && !s.args).flatMap((s) => s.names);

describe("Docker's default seccomp profile", () => {
  const base = { arch: 'amd64', kernelVersion: '6.18.0' };

  test('keeps the default action, errno and the amd64 architectures', () => {
    const p = convertSeccompProfile(defaultSeccompProfile(), { ...base, capabilities: DEFAULT_CAPABILITIES });
    assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(p.defaultErrnoRet, 1);
    assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  });

  test('mount is allowed with CAP_SYS_ADMIN and not without it', () => {
    const without = namesOf(convertSeccompProfile(defaultSeccompProfile(), { ...base, capabilities: DEFAULT_CAPABILITIES }));
    const withAdmin = namesOf(convertSeccompProfile(defaultSeccompProfile(), { ...base, capabilities: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'] }));
    assert.ok(!allowed(without, 'mount'));
    assert.ok(!allowed(without, 'unshare'));
    assert.ok(allowed(withAdmin, 'mount'));
    assert.ok(allowed(withAdmin, 'setns'));
    assert.ok(allowed(without, 'read') && allowed(withAdmin, 'read'));
  });

  test('excludes: the masked clone rule and the clone3 ENOSYS rule exist only without CAP_SYS_ADMIN', () => {
    const without = convertSeccompProfile(defaultSeccompProfile(), { ...base, capabilities: DEFAULT_CAPABILITIES });
    const withAdmin = convertSeccompProfile(defaultSeccompProfile(), { ...base, capabilities: ['CAP_SYS_ADMIN'] });
    const cloneMasked = (p: typeof without): boolean => p.syscalls.some((s) => s.names.includes('clone') && s.args?.[0]?.op === 'SCMP_CMP_MASKED_EQ');
    assert.ok(cloneMasked(without));
    assert.ok(!cloneMasked(withAdmin));
    const clone3 = without.syscalls.find((s) => s.names.includes('clone3') && s.action === 'SCMP_ACT_ERRNO');
    assert.equal(clone3?.errnoRet, 38);
    assert.ok(!withAdmin.syscalls.some((s) => s.names.includes('clone3') && s.action === 'SCMP_ACT_ERRNO'));
    // the s390 variant of clone never applies on amd64
    assert.ok(!without.syscalls.some((s) => s.names.includes('clone') && s.args?.[0]?.index === 1));
  });

  test('arch includes: arch_prctl on amd64, not on arm64; minKernel gates ptrace', () => {
    const amd = namesOf(convertSeccompProfile(defaultSeccompProfile(), { ...base, capabilities: DEFAULT_CAPABILITIES }));
    const arm = convertSeccompProfile(defaultSeccompProfile(), { arch: 'arm64', kernelVersion: '6.1', capabilities: DEFAULT_CAPABILITIES });
    assert.ok(allowed(amd, 'arch_prctl'));
    assert.ok(!allowed(namesOf(arm), 'arch_prctl'));
    assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    assert.ok(allowed(amd, 'ptrace'));
    const old = namesOf(convertSeccompProfile(defaultSeccompProfile(), { arch: 'amd64', kernelVersion: '4.4.0', capabilities: DEFAULT_CAPABILITIES }));
    assert.ok(!allowed(old, 'ptrace'));
  });

  test('argument filters are carried over (personality, socket)', () => {
    const p = convertSeccompProfile(defaultSeccompProfile(), { ...base, capabilities: DEFAULT_CAPABILITIES });
    const personality = p.syscalls.filter((s) => s.names.includes('personality'));
    assert.deepEqual(personality.map((s) => s.args?.[0]?.value), [0, 8, 131072, 131080, 4294967295]);
    assert.ok(p.syscalls.every((s) => !('includes' in s) && !('excludes' in s) && !('comment' in s)));
  });
});

describe('custom profiles', () => {
  test('name and explicit architectures are accepted; name+names is refused', () => {
    const prof: DockerSeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ name: 'chmod', action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    };
    const p = convertSeccompProfile(prof, { capabilities: [], arch: 'amd64', kernelVersion: '6.0' });
    assert.deepEqual(p, { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] });
    assert.throws(
      () => convertSeccompProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, { capabilities: [] }),
      (err: unknown) => isKind(err, 'InvalidArgument'),
    );
    assert.throws(
      () => convertSeccompProfile({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['x'], archMap: [{ architecture: 'x', subArchitectures: null }] }, { capabilities: [] }),
      (err: unknown) => isKind(err, 'InvalidArgument'),
    );
  });

  test('includes.caps needs every listed capability', () => {
    const prof: DockerSeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_A', 'CAP_B'] } }] };
    assert.equal(convertSeccompProfile(prof, { capabilities: ['CAP_A'] }).syscalls.length, 0);
    assert.equal(convertSeccompProfile(prof, { capabilities: ['CAP_A', 'CAP_B'] }).syscalls.length, 1);
  });
});
