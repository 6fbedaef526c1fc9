import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary } from '../../client/index.js';
import { renderList } from '../format/list-format.js';
import { PS_HEADERS, PS_TABLE, containerRow, displayPorts } from './ps.js';

const NOW = 1_700_000_100_000;
const c: ContainerSummary = {
  Id: '480c3e46329c44614df80f23aaadc35640d97a2de198090cfe8f70d386e75ca6',
  Names: ['/pst'],
  Image: 'busybox',
  ImageID: 'sha256:4a9bca141667',
  Command: "sh -c 'sleep 1000'",
  Created: 1_700_000_000,
  Ports: [],
  Labels: { c: 'd', a: 'b' },
  State: 'running',
  Status: 'Up About a minute',
  NetworkSettings: { Networks: { bridge: {} } },
};

test("docker's default ps table", () => {
  const out = renderList({ format: '', defaultTable: PS_TABLE, headers: PS_HEADERS, rows: [containerRow(c, true, NOW)] });
  const lines = out.split('\n');
  assert.match(lines[0], /^CONTAINER ID   IMAGE     COMMAND                CREATED              STATUS              PORTS     NAMES$/);
  assert.equal(lines[1], `480c3e46329c   busybox   "sh -c 'sleep 1000'"   About a minute ago   Up About a minute             pst`);
});

test('commands are cut at 20 runes with an ellipsis and quoted', () => {
  const row = containerRow({ ...c, Command: 'sh -c "echo a long command line"' }, true, NOW);
  assert.equal(row.Command, '"sh -c \\"echo a long …"');
  assert.equal(containerRow(c, false, NOW).ID, c.Id);
});

test('{{json .}} has the formatter fields in order, labels sorted', () => {
  const out = renderList({ format: '{{json .}}', defaultTable: PS_TABLE, headers: PS_HEADERS, rows: [containerRow(c, true, NOW)] });
  const j = JSON.parse(out) as Record<string, string>;
  assert.deepEqual(Object.keys(j), [
    'Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Platform', 'Ports', 'RunningFor', 'Size', 'State', 'Status',
  ]);
  assert.equal(j.Labels, 'a=b,c=d');
  assert.equal(j.Networks, 'bridge');
  assert.equal(j.RunningFor, 'About a minute ago');
});

test('table formats: custom header row, Label method, quiet', () => {
  const rows = [containerRow(c, true, NOW)];
  const out = renderList({ format: 'table {{.Names}}\\t{{.Label "a"}}', defaultTable: PS_TABLE, headers: PS_HEADERS, rows });
  assert.equal(out, 'NAMES     a\npst       b\n');
  assert.equal(renderList({ format: '', quiet: true, defaultTable: PS_TABLE, headers: PS_HEADERS, rows }), '480c3e46329c\n');
  assert.equal(renderList({ format: 'table', defaultTable: 'table {{.ID}}', headers: PS_HEADERS, rows: [] }), 'CONTAINER ID\n');
});

test('ports: ranges grouped, remapped host ports last', () => {
  assert.equal(
    displayPorts([
      { PrivatePort: 91, Type: 'tcp' },
      { PrivatePort: 90, Type: 'tcp' },
      { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 18080, Type: 'tcp' },
      { IP: '0.0.0.0', PrivatePort: 8000, PublicPort: 8000, Type: 'tcp' },
      { IP: '::', PrivatePort: 81, PublicPort: 18081, Type: 'udp' },
    ]),
    '90-91/tcp, 0.0.0.0:8000->8000/tcp, 127.0.0.1:18080->80/tcp, [::]:18081->81/udp',
  );
});
