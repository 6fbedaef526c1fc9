import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageSummary } from '../../client/index.js';
import { renderList } from '../format/list-format.js';
import { IMAGES_DIGEST_TABLE, IMAGES_TABLE, IMAGE_HEADERS, imageRows } from './images.js';

const NOW = 1_700_000_000_000 + 17 * 60_000;
const img: ImageSummary = {
  Id: 'sha256:4a9bca141667e0bf374d4d327097032f706bcae80bf7c34a1045785efaa487da',
  ParentId: '',
  RepoTags: ['busybox:latest', 'docker.io/me/app:1'],
  RepoDigests: [],
  Created: 1_700_000_000,
  Size: 1_984_000,
  SharedSize: -1,
  Labels: null,
  Containers: -1,
};

test("docker's images table", () => {
  const out = renderList({ format: '', defaultTable: IMAGES_TABLE, headers: IMAGE_HEADERS, rows: imageRows([img], { digests: false, trunc: true, now: NOW }) });
  assert.equal(
    out,
    'REPOSITORY   TAG       IMAGE ID       CREATED          SIZE\n' +
      'busybox      latest    4a9bca141667   17 minutes ago   1.98MB\n' +
      'me/app       1         4a9bca141667   17 minutes ago   1.98MB\n',
  );
});

test('untagged images show <none>, digests column on request', () => {
  const none = imageRows([{ ...img, RepoTags: [], RepoDigests: [] }], { digests: false, trunc: false, now: NOW });
  assert.equal(none[0].Repository, '<none>');
  assert.equal(none[0].Tag, '<none>');
  assert.equal(none[0].ID, img.Id);
  const dg = `sha256:${'a'.repeat(64)}`;
  const rows = imageRows([{ ...img, RepoTags: ['busybox:latest'], RepoDigests: [`busybox@${dg}`] }], { digests: true, trunc: true, now: NOW });
  const out = renderList({ format: '', defaultTable: IMAGES_DIGEST_TABLE, headers: IMAGE_HEADERS, rows });
  assert.match(out, /^REPOSITORY   TAG       DIGEST\s+IMAGE ID       CREATED          SIZE\n/);
  assert.match(out, new RegExp(`\\nbusybox      latest    ${dg}   4a9bca141667   17 minutes ago   1.98MB\\n$`));
});

test('{{json .}} matches the formatter fields', () => {
  const out = renderList({ format: 'json', defaultTable: IMAGES_TABLE, headers: IMAGE_HEADERS, rows: imageRows([img], { digests: false, trunc: true, now: NOW }).slice(0, 1) });
  const j = JSON.parse(out) as Record<string, string>;
  assert.deepEqual(Object.keys(j), ['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize', 'VirtualSize']);
  assert.equal(j.Containers, 'N/A');
  assert.equal(j.VirtualSize, '1.984MB');
});
