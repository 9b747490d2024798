// The go-template subset calicoctl users write, checked against Go's text/template behaviour (the
// semantics of text/template's exec tests) and calicoctl's printer_test.go joinAndTruncate table.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, TemplateError } from '../../src/ctl/go-template/parse.ts';
import { TemplateExecutor } from '../../src/ctl/go-template/exec.ts';
import { joinAndTruncate, sprintf } from '../../src/ctl/go-template/fmt.ts';
import { GoMap, goList, goResource } from '../../src/ctl/go-template/go-values.ts';
import type { Resource } from '../../src/api/resource.ts';

function run(src: string, data: unknown = {}, asNumber = '64512'): string {
  return new TemplateExecutor('get', { config: () => asNumber }).execute(parseTemplate(src), data);
}

const pool = (name: string, cidr: string, labels?: Record<string, string>): Resource => ({
  apiVersion: 'projectcalico.org/v3', kind: 'IPPool',
  metadata: { name, resourceVersion: '7', creationTimestamp: '2026-12-07T00:30:09Z', ...(labels ? { labels } : {}) },
  spec: { cidr, ipipMode: 'Always', natOutgoing: true, nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'] },
});
const list = goList('IPPool', 'projectcalico.org/v3', [pool('a', '10.1.0.0/16', { tier: 'db' }), pool('b', '10.2.0.0/16')], '42');

describe('Go text/template semantics', () => {
  const cases: Array<[string, unknown, string]> = [
    ['plain text', {}, 'plain text'],
    ['{{"a"}}{{`raw\\n`}}{{"tab\\there"}}', {}, 'araw\\ntab\there'],
    ['{{23 -}} < {{- 45}}', {}, '23<45'],
    ['{{- 3}}|{{-3}}', {}, '3|-3'],
    ['a {{/* a comment */}}b', {}, 'a b'],
    ['x {{- /* trimmed */ -}} y', {}, 'xy'],
    ['{{if true}}T{{else}}F{{end}}', {}, 'T'],
    ['{{if 0}}T{{else if ""}}E{{else}}F{{end}}', {}, 'F'],
    ['{{if .}}T{{else}}F{{end}}', [], 'F'],
    ['{{with "x"}}{{.}}{{else}}none{{end}}', {}, 'x'],
    ['{{with ""}}{{.}}{{else}}none{{end}}', {}, 'none'],
    ['{{range .}}[{{.}}]{{else}}empty{{end}}', [1, 2], '[1][2]'],
    ['{{range .}}[{{.}}]{{else}}empty{{end}}', [], 'empty'],
    ['{{range $i, $e := .}}{{$i}}:{{$e}} {{end}}', ['x', 'y'], '0:x 1:y '],
    ['{{range $k, $v := .}}{{$k}}={{$v}};{{end}}', new GoMap(new Map([['b', '2'], ['a', '1']])), 'a=1;b=2;'],
    ['{{range 3}}{{.}}{{end}}', {}, '012'],
    ['{{$x := "v"}}{{$x}}{{$x = "w"}}{{$x}}', {}, 'vw'],
    ['{{range .}}{{$}}{{end}}', [1], '[1]'],
    ['{{and 1 0 2}} {{and 1 2}} {{or 0 "" "z"}} {{or 0 ""}} {{not 0}}', {}, '0 2 z  true'],
    ['{{eq 1 2 3 1}} {{ne "a" "b"}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', {}, 'true true true true true false'],
    ['{{len "abc"}} {{len .}}', [1, 2], '3 2'],
    ['{{index . 1}}', ['x', 'y'], 'y'],
    ['{{print "a" 1 2 "b"}}', {}, 'a1 2b'],
    ['{{println "a" 1}}', {}, 'a 1\n'],
    ['{{printf "%s-%d-%v-%q-%t" "s" 4 1.5 "q" true}}', {}, 's-4-1.5-"q"-true'],
    ['{{printf "%-5s|%5s|%05d" "ab" "cd" 42}}', {}, 'ab   |   cd|00042'],
    ['{{"abc" | printf "%s!"}}', {}, 'abc!'],
    ['{{. | len | printf "%d items"}}', [1, 2, 3], '3 items'],
    ['{{(index . 0).Name}}', [goResource(pool('p', '10.0.0.0/8'))], 'p'],
  ];
  for (const [src, data, want] of cases) {
    test(JSON.stringify(src), () => assert.equal(run(src, data), want));
  }

  test('printf reports wrong and missing arguments as Go does', () => {
    assert.equal(sprintf('%d', ['x']), '%!d(string=x)');
    assert.equal(sprintf('%s %s', ['a']), 'a %!s(MISSING)');
    assert.equal(sprintf('%s', ['a', 1]), 'a%!(EXTRA int=1)');
    assert.equal(sprintf('100%%', []), '100%');
  });
});

describe('calicoctl data shape: Go field names on []runtime.Object', () => {
  test('a listed kind is one <Kind>List with .Items; names and labels promoted from ObjectMeta', () => {
    const out = run('{{range .}}{{.Kind}} rv={{.ResourceVersion}}:{{range .Items}} {{.Name}}/{{.ObjectMeta.Name}} {{.Spec.CIDR}} {{.Spec.IPIPMode}} {{.Spec.NATOutgoing}} {{.Labels}}{{end}}{{end}}', [list]);
    assert.equal(out, 'IPPoolList rv=42: a/a 10.1.0.0/16 Always true map[tier:db] b/b 10.2.0.0/16 Always true map[]');
  });

  test('calicoctl functions: join (maps as sorted k=v), joinAndTruncate, config "asnumber"', () => {
    const data = [goResource(pool('a', '10.1.0.0/16', { z: '1', a: '2' }))];
    assert.equal(run('{{range .}}{{join .Spec.AllowedUses ","}}|{{join .Labels ";"}}|{{joinAndTruncate .Spec.AllowedUses "," 8}}{{end}}|{{config "asnumber"}}', data, '65001'),
      'Workload,Tunnel|a=2;z=1|Workl...|65001');
  });

  test('a missing label prints <no value>; an omitted spec field prints empty; times print as Go time.Time', () => {
    const data = [goResource(pool('a', '10.1.0.0/16'))];
    assert.equal(run('{{range .}}[{{.Labels.app}}][{{.Spec.VXLANMode}}][{{.CreationTimestamp}}][{{.Namespace}}]{{end}}', data),
      '[<no value>][][2026-12-07 00:30:09 +0000 UTC][]');
  });

  test('YAML key spellings are refused as in Go: lowercase fields, unknown top-level fields', () => {
    assert.throws(() => run('{{range .}}{{.metadata.name}}{{end}}', [list]), /can't evaluate field metadata in type \*v3\.IPPoolList/);
    assert.throws(() => run('{{range .}}{{.Metadata}}{{end}}', [goResource(pool('a', '10.0.0.0/8'))]), /can't evaluate field Metadata in type \*v3\.IPPool/);
    assert.throws(() => run('{{range .Items}}{{end}}', [list]), /can't evaluate field Items in type \[\]interface/);
  });
});

describe('refused template syntax, with the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['{{define "x"}}{{end}}', /\{\{define\}\} is not supported/],
    ['{{template "x"}}', /\{\{template\}\} is not supported/],
    ['{{range .}}{{break}}{{end}}', /\{\{break\}\} is not supported/],
    ['{{html "x"}}', /function "html" is not supported/],
    ['{{nosuch 1}}', /function "nosuch" not defined/],
    ['{{if true}}x', /missing \{\{end\}\}/],
    ['{{end}}', /unexpected \{\{end\}\}/],
    ['{{.Name', /unclosed action/],
    ['{{"abc}}', /unterminated quoted string|unclosed action/],
    ["{{'a'}}", /character constants are not supported/],
    ['{{printf "%e" 1.0}}', /verb %e is not supported/],
    ['{{"x" 1}}', /can't give argument to non-function/],
    ['{{$nope}}', /undefined variable: \$nope/],
    ['{{}}', /missing value for command/],
  ];
  for (const [src, re] of cases) {
    test(src, () => assert.throws(() => run(src, []), (e: unknown) => e instanceof TemplateError && re.test(e.message)));
  }
});

// calicoctl/calicoctl/commands/common/printer_test.go, "Testing joinAndTruncate" (Go maps/slices as ours).
describe('calicoctl printer_test: joinAndTruncate', () => {
  const m = (o: Record<string, unknown>) => new GoMap(new Map(Object.entries(o)));
  const vectors: Array<[string, unknown, string, number, string]> = [
    ['nil interface', null, ',', 0, ''],
    ['nil map', m({}), ',', 0, ''],
    ['empty map', m({}), ',', 0, ''],
    ['map with one kv', m({ a: 'b' }), ',', 0, 'a=b'],
    ['map with several kv', m({ a: 'b', b: 'c', go: 'gopher' }), ',', 0, 'a=b,b=c,go=gopher'],
    ['map with several kv, truncate', m({ giraffe: 'praying mantis', bird: 'felix', go: 'gopher', elephant: 'hippo' }), ',', 15, 'bird=felix,e...'],
    ['map with non string', m({ a: 1 }), ',', 0, 'a=1'],
    ['map with negative', m({ a: -1 }), ',', 0, 'a=-1'],
    ['map with int key', m({ 123: 1 }), ',', 0, '123=1'],
    ['map with int key, truncated', m({ 123: 4567 }), ',', 3, '...'],
    ['nil slice', [], ',', 0, ''],
    ['empty slice', [], ',', 0, ''],
    ['slice with one value', [1], ',', 0, '1'],
    ['slice with multiple value', ['one', 'two', 'three', 'four'], ',', 0, 'one,two,three,four'],
    ['different separator', ['one', 'two', 'three', 'four'], '-', 0, 'one-two-three-four'],
    ['slice truncate words', ['otorhinolaryngological', 'psychophysicotherapeutics', 'hepaticocholangiogastrostomy'], ',', 10, 'otorhin...'],
    ['slice truncate', [12345, 67890], ',', 6, '123...'],
    ['slice truncate one', [1234567], ',', 6, '123...'],
    ['slice no truncate', [123456], ',', 6, '123456'],
    ['string', 'HelloWorld', ',', 0, 'HelloWorld'],
  ];
  for (const [name, items, sep, max, want] of vectors) {
    test(name, () => assert.equal(joinAndTruncate(items, sep, max), want));
  }
});
