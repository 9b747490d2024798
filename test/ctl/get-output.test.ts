// `tabby get` with calicoctl's other output habits: -o go-template / go-template-file on calicoctl's data
// shape, --export (only for resources got by name), -o yml, exact custom-columns headings, and selectors
// printed back as written (calicoctl stores and prints the user's text; only Felix normalises).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtlHarness } from './helpers.ts';

const RESOURCES = `
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-a, labels: {tier: db}}
spec: {cidr: 10.1.0.0/16, ipipMode: Always, natOutgoing: true}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-b}
spec: {cidr: 10.2.0.0/16}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: np1, namespace: prod}
spec:
  selector: app notin {"a",} && role startswith 'web'
`;

async function harness(): Promise<CtlHarness> {
  const h = new CtlHarness();
  const r = await h.run(['apply', '-f', '-'], RESOURCES);
  assert.equal(r.code, 0, r.stderr);
  return h;
}

describe('get -o go-template', () => {
  test('a listed kind is one IPPoolList: range over . then .Items, Go field names', async () => {
    const h = await harness();
    const r = await h.run(['get', 'ippools', '-o', 'go-template={{range .}}{{range .Items}}{{.Name}} {{.Spec.CIDR}} {{join .Labels ","}}\n{{end}}{{end}}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pool-a 10.1.0.0/16 tier=db\npool-b 10.2.0.0/16 \n');
  });

  test('named resources are the items themselves, in the order named', async () => {
    const h = await harness();
    const r = await h.run(['get', 'ippool', 'pool-b', 'pool-a', '-o', 'go-template={{range .}}{{.ObjectMeta.Name}}={{.Spec.IPIPMode}};{{end}}']);
    assert.equal(r.stdout, 'pool-b=Never;pool-a=Always;');
  });

  test('go-template-file reads the template from a file; a missing file fails with exit 1', async () => {
    const h = await harness();
    const dir = mkdtempSync(join(tmpdir(), 'tabby-tpl-'));
    try {
      const file = join(dir, 'pools.tmpl');
      writeFileSync(file, '{{- range . -}}\n{{- range .Items}}\n{{printf "%-8s%s" .Name .Spec.CIDR}}\n{{- end}}\n{{- end}}\n');
      const r = await h.run(['get', 'ippools', '-o', `go-template-file=${file}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '\npool-a  10.1.0.0/16\npool-b  10.2.0.0/16\n');
      const missing = await h.run(['get', 'ippools', '-o', `go-template-file=${join(dir, 'nope')}`]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no such file or directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('template errors exit 1 as calicoctl does, after the output written before the error', async () => {
    const h = await harness();
    const bad = await h.run(['get', 'ippools', '-o', 'go-template={{range .}}{{range .Items}}{{.metadata.name}}{{end}}{{end}}']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /can't evaluate field metadata in type \*v3\.IPPool.*Go field names/);
    const partial = await h.run(['get', 'ippools', '-o', 'go-template=before {{range .}}{{.Nope}}{{end}}']);
    assert.equal(partial.code, 1);
    assert.equal(partial.stdout, 'before ');
    const unsupported = await h.run(['get', 'ippools', '-o', 'go-template={{template "x"}}']);
    assert.equal(unsupported.code, 1);
    assert.match(unsupported.stderr, /\{\{template\}\} is not supported/);
  });

  test('-o go-template with no template, and an unknown -o, are refused', async () => {
    const h = await harness();
    for (const o of ['go-template', 'go-template=', 'go-template-file=']) {
      const r = await h.run(['get', 'ippools', '-o', o]);
      assert.equal(r.code, 2, o);
      assert.match(r.stderr, /need to specify a template/);
    }
    const r = await h.run(['get', 'ippools', '-o', 'jsonpath={.items}']);
    assert.match(r.stderr, /unrecognized output format 'jsonpath=\{\.items\}'/);
  });
});

describe('get --export', () => {
  test('by name: namespace, uid, resourceVersion and creationTimestamp are gone', async () => {
    const h = await harness();
    const plain = await h.run(['get', 'networkpolicy', 'np1', '-n', 'prod', '-o', 'yaml']);
    assert.match(plain.stdout, /namespace: prod/);
    assert.match(plain.stdout, /resourceVersion:/);
    const r = await h.run(['get', 'networkpolicy', 'np1', '-n', 'prod', '-o', 'yaml', '--export']);
    assert.equal(r.code, 0, r.stderr);
    for (const gone of ['namespace:', 'resourceVersion:', 'uid:', 'creationTimestamp:']) assert.doesNotMatch(r.stdout, new RegExp(gone), gone);
    assert.match(r.stdout, /name: np1/);
  });

  test('a list (no names) is not stripped, as in calicoctl', async () => {
    const h = await harness();
    const r = await h.run(['get', 'networkpolicies', '-n', 'prod', '-o', 'yaml', '--export']);
    assert.match(r.stdout, /namespace: prod/);
    assert.match(r.stdout, /resourceVersion:/);
  });
});

describe('other calicoctl output habits', () => {
  test('-o yml is yaml', async () => {
    const h = await harness();
    const yml = await h.run(['get', 'ippool', 'pool-a', '-o', 'yml']);
    const yaml = await h.run(['get', 'ippool', 'pool-a', '-o', 'yaml']);
    assert.equal(yml.code, 0, yml.stderr);
    assert.equal(yml.stdout, yaml.stdout);
  });

  test('custom-columns headings are looked up exactly, as calicoctl does', async () => {
    const h = await harness();
    const lower = await h.run(['get', 'ippools', '-o', 'custom-columns=name']);
    assert.notEqual(lower.code, 0);
    assert.match(lower.stderr, /heading name, valid values are: NAME/);
    const ok = await h.run(['get', 'ippools', '-o', 'custom-columns=NAME,CIDR']);
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('a selector is printed back exactly as written (calicoctl does not normalise stored selectors)', async () => {
    const h = await harness();
    const r = await h.run(['get', 'networkpolicy', 'np1', '-n', 'prod', '-o', 'yaml']);
    assert.match(r.stdout, /selector: app notin \{"a",\} && role startswith 'web'/);
  });
});
