import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, normalizeName, parseReference } from './reference.js';
import { EngineError } from '../errdefs/index.js';

test('names normalise as Docker does', () => {
  const cases: Array<[string, string]> = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['me/app', 'docker.io/me/app:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:x', 'docker.io/library/busybox:x'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app:latest'],
    ['localhost/app:v1', 'localhost/app:v1'],
    ['quay.io/org/sub/app:tag', 'quay.io/org/sub/app:tag'],
    [`app@sha256:${'a'.repeat(64)}`, `docker.io/library/app@sha256:${'a'.repeat(64)}`],
  ];
  for (const [input, want] of cases) assert.equal(normalizeName(input), want, input);
});

test('familiar names strip docker.io and library', () => {
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarName('docker.io/me/app:1'), 'me/app:1');
  assert.equal(familiarName('127.0.0.1:5000/app:latest'), '127.0.0.1:5000/app:latest');
});

test('invalid references are refused with Docker wording', () => {
  for (const bad of ['', 'Busybox', 'a:b:c', 'app@sha256:xyz', '-app', 'a//b', 'app:-tag']) {
    assert.throws(() => parseReference(bad), (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument' && /invalid reference format/.test(e.message), bad);
  }
  assert.throws(() => parseReference('Busybox'), /repository name \(Busybox\) must be lowercase/);
});
