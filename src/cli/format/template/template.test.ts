import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GoFloat, dockerHeaderFunctions, parseTemplate, renderTemplate } from './index.js';

class Container {
  constructor(readonly ID: string, private readonly labels: Record<string, string>) {}
  Label(name: string): string {
    return this.labels[name] ?? '';
  }
  get Names(): string {
    return '/web';
  }
}

const inspect = {
  Id: '4fa6e0f0c678',
  Name: '/web',
  Args: ['-c', 'echo hi'],
  Path: 'sh',
  Config: {
    Cmd: ['sh', '-c', 'echo hi'],
    Env: ['PATH=/usr/bin', 'X=<a&b>'],
    Labels: { 'com.example.b': '2', 'a.b': 'x', zed: '' },
    ExposedPorts: { '80/tcp': {} },
    Entrypoint: null,
  },
  State: { Status: 'running', Running: true, Pid: 4242, ExitCode: 0, Health: null },
  Mounts: [
    { Type: 'bind', Source: '/src', Destination: '/app' },
    { Type: 'volume', Source: '/var/lib/v', Destination: '/data' },
  ],
  NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } },
  SizeRw: 1500000000,
  Ratio: 0.25,
  Empty: [],
  EmptyMap: {},
  Unicode: 'héllo 世界',
  MakeAdder: () => (a: number, b: number) => a + b,
};

const cases: [string, string, unknown?][] = [
  // Fields, as docker inspect and ps formats use them.
  ['{{.Id}}', '4fa6e0f0c678'],
  ['{{.State.Running}}', 'true'],
  ['{{.State.Pid}}', '4242'],
  ['{{.Config.Cmd}}', '[sh -c echo hi]'],
  ['{{.Config.Labels}}', 'map[a.b:x com.example.b:2 zed:]'],
  ['{{.State}}', 'map[ExitCode:0 Health:<nil> Pid:4242 Running:true Status:running]'],
  ['{{.Mounts}}', '[map[Destination:/app Source:/src Type:bind] map[Destination:/data Source:/var/lib/v Type:volume]]'],
  ['{{.Missing}}', '<no value>'],
  ['{{.Config.Missing}}', '<no value>'],
  ['{{.Missing.Deeper}}', '<no value>'],
  ['{{.Config.Entrypoint}}', '<no value>'],
  ['{{.Empty}}|{{.EmptyMap}}', '[]|map[]'],
  ['{{.SizeRw}}', '1500000000'],
  ['{{.Ratio}}', '0.25'],
  ['{{.Unicode}}', 'héllo 世界'],
  ['{{.}}', '<no value>', null],
  ['{{.}}', 'plain', 'plain'],
  ['{{$.Name}}', '/web'],
  // Functions the docker CLI adds.
  ['{{json .Config.Env}}', '["PATH=/usr/bin","X=<a&b>"]'],
  ['{{json .State}}', '{"Status":"running","Running":true,"Pid":4242,"ExitCode":0,"Health":null}'],
  ['{{json .Missing}}', 'null'],
  ['{{json .Config.Labels}}', '{"com.example.b":"2","a.b":"x","zed":""}'],
  ['{{join .Args ","}}', '-c,echo hi'],
  ['{{join .Empty ","}}', ''],
  ['{{split "a:b:c" ":"}}', '[a b c]'],
  ['{{len (split "abc" "")}}', '3'],
  ['{{upper .Name}} {{lower "ABC"}}', '/WEB abc'],
  ['{{title "hello wide_world-x"}}', 'Hello Wide_world-X'],
  ['[{{pad .Name 1 2}}][{{pad "" 1 2}}]', '[ /web  ][]'],
  ['{{truncate .Id 4}}|{{truncate "ab" 5}}', '4fa6|ab'],
  // Builtins.
  ['{{index .Config.Labels "a.b"}}', 'x'],
  ['{{index .Config.Labels "nope"}}', '<no value>'],
  ['{{index .Args 1}}', 'echo hi'],
  ['{{index .NetworkSettings.Ports "80/tcp" 0 "HostPort"}}', '8080'],
  ['{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}', '8080'],
  ['{{index "abc" 1}}', '98'],
  ['{{len .Args}} {{len .Config.Labels}} {{len "日本"}}', '2 3 6'],
  ['{{slice .Args 1}} {{slice "hello" 1 3}} {{slice .Config.Cmd 0 2}}', '[echo hi] el [sh -c]'],
  ['{{print 1 2 "a" "b" 3}}', '1 2ab3'],
  ['{{print .Missing}}', '<nil>'],
  ['{{println "a" 1}}', 'a 1\n'],
  ['{{printf "%-10s|" .Name}}', '/web      |'],
  ['{{printf "%5d|%-5d|%05d" 42 42 42}}', '   42|42   |00042'],
  ['{{printf "%s=%q" "k" "v\\n"}}', 'k="v\\n"'],
  ['{{printf "%v %t %x %%" .Args true 255}}', '[-c echo hi] true ff %'],
  ['{{printf "%.2f" .Ratio}}', '0.25'],
  ['{{"b" | printf "%s-%s" "a"}}', 'a-b'],
  ['{{html "<a href=\'x\'>&</a>"}}', '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;'],
  ['{{html .Missing}}', '&lt;no value&gt;'],
  ['{{js "it\'s <b>"}}', 'it\\\'s \\u003Cb\\u003E'],
  ['{{urlquery "a b&c=d/é"}}', 'a+b%26c%3Dd%2F%C3%A9'],
  ['{{call .MakeAdder 2 3}}', '5'],
  ['{{not 0}} {{not 1}} {{not ""}} {{not .Empty}}', 'true false true true'],
  ['{{and 1 0 2}} {{and 1 2}} {{or 0 "" "x"}} {{or 0 ""}}', '0 2 x '],
  ['{{and .Missing .Missing.X}}', '<no value>'],
  ['{{or .Config.Entrypoint "none"}}', 'none'],
  // Comparisons.
  ['{{if eq .State.Status "running"}}up{{else}}down{{end}}', 'up'],
  ['{{eq .State.Status "exited" "running"}}', 'true'],
  ['{{eq .Missing "x"}} {{eq .Missing nil}}', 'false true'],
  ['{{eq 1 1.0}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', 'true true true true true false'],
  ['{{lt "Z" "a"}} {{lt "é" "z"}}', 'true false'],
  // Control structures.
  ['{{range .Mounts}}{{.Source}} {{end}}', '/src /var/lib/v '],
  ['{{range $i, $m := .Mounts}}{{$i}}:{{$m.Destination}};{{end}}', '0:/app;1:/data;'],
  ['{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}', 'a.b=x;com.example.b=2;zed=;'],
  ['{{range $p, $conf := .NetworkSettings.Ports}}{{$p}} -> {{(index $conf 0).HostPort}}{{end}}', '80/tcp -> 8080'],
  ['{{range .Empty}}x{{else}}none{{end}}', 'none'],
  ['{{range .Missing}}x{{else}}none{{end}}', 'none'],
  ['{{range 3}}{{.}}{{end}}', '012'],
  ['{{range $i, $a := .Args}}{{if $i}},{{end}}{{$a}}{{end}}', '-c,echo hi'],
  ['{{range .Config.Cmd}}{{if eq . "-c"}}{{continue}}{{end}}{{if eq . "echo hi"}}{{break}}{{end}}{{.}}{{end}}', 'sh'],
  ['{{range .Args}}{{$.Path}}{{end}}', 'shsh'],
  ['{{if .Empty}}a{{else if .Args}}b{{else}}c{{end}}', 'b'],
  ['{{if .Missing}}a{{else if .Empty}}b{{else}}c{{end}}', 'c'],
  ['{{with .State}}{{.Status}}{{end}}', 'running'],
  ['{{with .Missing}}x{{else}}y{{end}}', 'y'],
  ['{{with .Missing}}x{{else with .State.Pid}}{{.}}{{end}}', '4242'],
  ['{{with $s := .State.Status}}{{$s}}/{{.}}{{end}}', 'running/running'],
  // Variables.
  ['{{$x := 1}}{{$x = 2}}{{$x}}', '2'],
  ['{{$x := "a"}}{{if true}}{{$x := "b"}}{{$x}}{{end}}{{$x}}', 'ba'],
  ['{{$x := "a"}}{{if true}}{{$x = "b"}}{{end}}{{$x}}', 'b'],
  ['{{$n := len .Args}}{{$n}}', '2'],
  ['{{$c := .Config}}{{$c.Cmd}}', '[sh -c echo hi]'],
  // define / template / block.
  ['{{define "T"}}<{{.}}>{{end}}{{template "T" .Name}}', '</web>'],
  ['{{define "a"}}A{{template "b" .}}{{end}}{{define "b"}}B{{.}}{{end}}{{template "a" 1}}', 'AB1'],
  ['{{define "t"}}{{.}}{{end}}{{template "t"}}', '<no value>'],
  ['{{block "b" .State.Status}}[{{.}}]{{end}}', '[running]'],
  ['{{define "list"}}{{range .}}{{.}},{{end}}{{end}}{{template "list" .Args}}', '-c,echo hi,'],
  // Trim markers, comments and white space.
  ['{{23 -}} < {{- 45}}', '23<45'],
  ['a \n\t {{- .Path}}  \n', 'ash  \n'],
  ['{{.Path -}} \n b', 'shb'],
  ['{{-3}}', '-3'],
  ['x {{- /* note */ -}} y', 'xy'],
  ['{{/* a\nmultiline comment */}}ok', 'ok'],
  ['{{ .Path }}{{\n.Id\n}}', 'sh4fa6e0f0c678'],
  ['  {{.Path}}  ', '  sh  '],
  // Literals.
  ['{{"a\\tb"}}|{{`raw\\t`}}', 'a\tb|raw\\t'],
  ['{{"\\u00e9\\x41"}}', 'éA'],
  ["{{'a'}} {{printf \"%c\" 'é'}}", '97 é'],
  ['{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{+5}} {{-5}}', '31 15 15 5 1000 5 -5'],
  ['{{1.5}} {{1.0}} {{1e6}} {{1.5e9}} {{0.0001}} {{0.00001}} {{100000.0}}', '1.5 1 1e+06 1.5e+09 0.0001 1e-05 100000'],
  ['{{true}} {{false}}', 'true false'],
  // Unicode through padding.
  ['{{printf "%-6s|" "日本"}}{{printf "%4s|" "é"}}', '日本    |   é|'],
];

describe('template execution', () => {
  for (const [text, want, data] of cases) {
    it(text, () => {
      assert.equal(renderTemplate(text, data === undefined ? inspect : data), want);
    });
  }

  it('calls struct methods and getters, and reads fields', () => {
    const c = new Container('abc', { 'com.docker.compose.project': 'demo' });
    assert.equal(renderTemplate('{{.ID}} {{.Names}} {{.Label "com.docker.compose.project"}}', c), 'abc /web demo');
    assert.equal(renderTemplate('{{"com.docker.compose.project" | .Label}}', c), 'demo');
  });

  it('treats function-valued properties of plain objects as methods', () => {
    const row = { ID: 'abc', Labels: 'a=1' };
    Object.defineProperty(row, 'Label', { value: (k: string) => (k === 'a' ? '1' : ''), enumerable: false });
    assert.equal(renderTemplate('{{.ID}} {{.Label "a"}}|{{.Label "b"}}|{{json .}}', row), 'abc 1||{"ID":"abc","Labels":"a=1"}');
    const header = { ID: 'CONTAINER ID', Label: () => 'LABEL' };
    assert.equal(renderTemplate('{{.ID}}\t{{.Label "x"}}', header), 'CONTAINER ID\tLABEL');
    assert.equal(renderTemplate('{{.}} {{len .}} {{range $k, $v := .}}{{$k}}{{end}}', header), 'map[ID:CONTAINER ID] 1 ID');
  });

  it('prints floats as Go does', () => {
    assert.equal(renderTemplate('{{.}}', new GoFloat(1500000000)), '1.5e+09');
    assert.equal(renderTemplate('{{.}}', 0.1 + 0.2), '0.30000000000000004');
    assert.equal(renderTemplate('{{.}}', [1, 'a', null, true, 2.5]), '[1 a <nil> true 2.5]');
    assert.equal(renderTemplate('{{.}}', 123456789.5), '1.234567895e+08');
  });

  it('parses once and executes many times', () => {
    const t = parseTemplate('{{.ID}}:{{.Name}}');
    assert.equal(t.execute({ ID: 'a', Name: 'x' }), 'a:x');
    assert.equal(t.execute({ ID: 'b' }), 'b:<no value>');
  });

  it('renders a table header with the docker header functions', () => {
    const t = parseTemplate('{{upper .Name}}\t{{json .Labels}}\t{{pad .Size 1 1}}');
    const header = { Name: 'NAME', Labels: 'LABELS', Size: 'SIZE' };
    assert.equal(t.execute(header, { funcs: dockerHeaderFunctions }), 'NAME\tLABELS\t SIZE ');
    assert.equal(t.execute({ Name: 'web', Labels: { a: '1' }, Size: '1kB' }), 'WEB\t{"a":"1"}\t 1kB ');
  });

  it('accepts extra functions', () => {
    const t = parseTemplate('{{shout .}}', { funcs: { shout: (s: string) => `${s}!` } });
    assert.equal(t.execute('hi'), 'hi!');
  });

  it('lists defined templates', () => {
    assert.deepEqual(parseTemplate('{{define "b"}}{{end}}{{block "a" .}}{{end}}').definedTemplates(), ['a', 'b']);
  });

  it('treats Map instances as sorted Go maps', () => {
    const m = new Map<string, unknown>([['z', 1], ['a', 2]]);
    assert.equal(renderTemplate('{{.}} {{.a}} {{range $k, $v := .}}{{$k}}{{end}} {{json .}}', m), 'map[a:2 z:1] 2 az {"a":2,"z":1}');
  });
});
