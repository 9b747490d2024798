import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CtlHarness, tableRows } from './helpers.ts';
import { applyDefaults } from '../../src/api/defaults.ts';
import { kindInfo } from '../../src/api/kinds.ts';
import type { Resource } from '../../src/api/resource.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const DOCS = join(FIXTURES, 'docs');

function fixtureDocs(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Resource).filter(Boolean);
}

describe('Calico documentation examples', () => {
  for (const file of readdirSync(DOCS).sort()) {
    test(`${file} applies unchanged and reads back equal (defaults filled in)`, async () => {
      const h = new CtlHarness();
      const r = await h.run(['apply', '-f', join(DOCS, file)]);
      assert.equal(r.code, 0, r.stderr);
      const docs = fixtureDocs(join(DOCS, file));
      const kinds = new Set(docs.map((d) => d.kind));
      assert.match(r.stdout, kinds.size === 1 ? new RegExp(`^Successfully applied ${docs.length} '${[...kinds][0]}' resource\\(s\\)\\n$`) : /^Successfully applied \d+ resource\(s\)\n$/);
      for (const doc of docs) {
        const info = kindInfo(doc.kind)!;
        const args = ['get', doc.kind.toLowerCase(), doc.metadata.name, '-o', 'yaml'];
        if (info.namespaced) args.push('-n', doc.metadata.namespace ?? 'default');
        const got = await h.run(args);
        assert.equal(got.code, 0, got.stderr);
        const back = parse(got.stdout) as Resource;
        const expected = applyDefaults(doc, { namespaced: info.namespaced });
        assert.equal(back.apiVersion, 'projectcalico.org/v3');
        assert.equal(back.kind, doc.kind);
        assert.equal(back.metadata.name, doc.metadata.name);
        assert.equal(back.metadata.namespace, expected.metadata.namespace);
        assert.deepEqual(back.spec, expected.spec, `${doc.kind}(${doc.metadata.name}) read back differs`);
        for (const [k, v] of Object.entries(doc.spec ?? {})) assert.deepEqual(back.spec[k], v, `user field ${k} kept as written`);
        assert.ok(back.metadata.resourceVersion && back.metadata.uid && back.metadata.creationTimestamp);
      }
    });
  }

  test('get ippools -o wide prints calicoctl columns', async () => {
    const h = new CtlHarness();
    assert.equal((await h.run(['apply', '-f', join(DOCS, 'ippool.yaml')])).code, 0);
    const r = await h.run(['get', 'ippools', '-o', 'wide']);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines[0]!.trim().split(/\s+/), ['NAME', 'CIDR', 'NAT', 'IPIPMODE', 'VXLANMODE', 'DISABLED', 'DISABLEBGPEXPORT', 'SELECTOR']);
    assert.deepEqual(tableRows(r.stdout).slice(1), [
      ['default-ipv6-ippool', 'fd5f:1801:e7e4::/48', 'false', 'Never', 'Never', 'false', 'false', 'all()'],
      ['my.ippool-1', '10.1.0.0/16', 'true', 'CrossSubnet', 'Never', 'false', 'false', 'all()'],
      ['rack-1-pool', '192.168.0.0/24', 'true', 'Never', 'Always', 'false', 'false', 'rack == "1"'],
    ]);
    // Go tabwriter: columns start at the same offset on every line (width = longest cell + 3).
    const col = lines[0]!.indexOf('CIDR');
    assert.equal(col, 'default-ipv6-ippool'.length + 3);
    for (const l of lines.slice(1, 4)) assert.equal(l[col - 1], ' ') ;
    const custom = await h.run(['get', 'ippools', '-o', 'custom-columns=NAME,VXLANMODE']);
    assert.deepEqual(tableRows(custom.stdout), [['NAME', 'VXLANMODE'], ['default-ipv6-ippool', 'Never'], ['my.ippool-1', 'Never'], ['rack-1-pool', 'Always']]);
    const unknown = await h.run(['get', 'ippools', '-o', 'custom-columns=NAME,COLOUR']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown heading COLOUR, valid values are: NAME, CIDR/);
    const ps = await h.run(['get', 'ipp']);
    assert.deepEqual(tableRows(ps.stdout)[0], ['NAME', 'CIDR', 'SELECTOR']);
  });

  test('kind aliases resolve like calicoctl', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', DOCS]);
    for (const alias of ['ippool', 'ippools', 'ipp', 'ipps', 'pool', 'pools', 'IPPool']) {
      const r = await h.run(['get', alias]);
      assert.equal(r.code, 0, alias);
      assert.equal(tableRows(r.stdout).length, 4, alias);
    }
    assert.equal(tableRows((await h.run(['get', 'bgpp'])).stdout).length, 4);
    assert.equal(tableRows((await h.run(['get', 'gnp'])).stdout).length, 4);
    assert.deepEqual(tableRows((await h.run(['get', 'bgpconfig'])).stdout)[0], ['NAME', 'LOGSEVERITY', 'MESHENABLED', 'ASNUMBER']);
  });
});

describe('validation before writing', () => {
  test('a file with one invalid document writes nothing', async () => {
    const h = new CtlHarness();
    const r = await h.run(['apply', '-f', join(FIXTURES, 'invalid', 'ippool-unmasked.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Failed to apply 'IPPool' resource: \[IPPool\(bad-pool\): error with field spec\.cidr = '10\.30\.0\.1\/16' \(IP pool CIDR is not strictly masked/);
    assert.match(r.stderr, /Nothing was applied/);
    assert.equal((await h.ds.list('IPPool')).items.length, 0, 'good-pool must not have been written');
  });

  test('an unknown kind is a usage error and nothing is written', async () => {
    const h = new CtlHarness();
    const r = await h.run(['create', '-f', join(FIXTURES, 'invalid', 'unknown-kind.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /resource type 'IPPoool' is not supported/);
    assert.equal((await h.ds.list('IPPool')).items.length, 0);
  });

  test('malformed YAML names the file and position', async () => {
    const h = new CtlHarness();
    const r = await h.run(['apply', '-f', join(FIXTURES, 'invalid', 'malformed.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error parsing .*malformed\.yaml \(document 1\): .*line \d+, column \d+/);
  });

  test('a document that is not an object is malformed input', async () => {
    const h = new CtlHarness();
    const r = await h.run(['apply', '-f', '-'], '--- just a string\n');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /a resource must be a YAML\/JSON object\)\] in stdin \(document 1\)/);
  });

  test('missing file, missing -f, bad output format, unknown kind on get', async () => {
    const h = new CtlHarness();
    assert.equal((await h.run(['apply', '-f', '/nonexistent/x.yaml'])).code, 2);
    assert.equal((await h.run(['apply'])).code, 2);
    const fmt = await h.run(['get', 'ippools', '-o', 'xml']);
    assert.equal(fmt.code, 2);
    assert.match(fmt.stderr, /unrecognized output format 'xml'/);
    const kind = await h.run(['get', 'gizmos']);
    assert.equal(kind.code, 2);
    assert.match(kind.stderr, /resource type 'gizmos' is not supported/);
  });

  test('IPAM kinds are refused by apply', async () => {
    const h = new CtlHarness();
    const r = await h.run(['apply', '-f', '-'], 'apiVersion: projectcalico.org/v3\nkind: IPAMBlock\nmetadata:\n  name: 10-0-0-0-26\nspec:\n  cidr: 10.0.0.0/26\n');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /IPAMBlock.*cannot be written/);
  });

  test('validate -f checks offline and reports every bad document', async () => {
    const h = new CtlHarness();
    const ok = await h.run(['validate', '-f', join(DOCS, 'bgppeer.yaml')]);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout, "Successfully validated 3 'BGPPeer' resource(s)\n");
    const bad = await h.run(['validate', '-f', join(FIXTURES, 'invalid', 'ippool-unmasked.yaml')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Failed to validate 'IPPool' resource: \[IPPool\(bad-pool\)/);
  });
});

describe('calicoctl write rules', () => {
  test('ClusterInformation is read-only from the CLI', async () => {
    const h = new CtlHarness();
    const ci = 'apiVersion: projectcalico.org/v3\nkind: ClusterInformation\nmetadata:\n  name: default\nspec:\n  calicoVersion: v9.9.9\n';
    const r = await h.run(['apply', '-f', '-'], ci);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /operation apply is not supported on ClusterInformation/);
    await h.ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { clusterGUID: 'abc', clusterType: 'tabby', calicoVersion: 'v0.1.0', datastoreReady: true } });
    assert.match((await h.run(['delete', 'clusterinfo', 'default'])).stderr, /operation delete is not supported/);
    assert.deepEqual(tableRows((await h.run(['get', 'clusterinformations'])).stdout), [['NAME', 'CLUSTERGUID', 'CLUSTERTYPE', 'CALICOVERSION', 'DATASTOREREADY'], ['default', 'abc', 'tabby', 'v0.1.0', 'true']]);
  });

  test('a stale resourceVersion in a file is refused with calicoctl wording', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', join(DOCS, 'ippool.yaml')]);
    const cur = parse((await h.run(['get', 'ippool', 'rack-1-pool', '-o', 'yaml'])).stdout) as Resource;
    await h.run(['label', 'ippool', 'rack-1-pool', 'touched=yes']);
    cur.spec.disabled = true;
    const r = await h.run(['apply', '-f', '-'], JSON.stringify(cur));
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`resource version '${cur.metadata.resourceVersion}' is out of date \\(latest: \\d+\\)`));
    assert.notEqual((await h.ds.get('IPPool', 'rack-1-pool'))!.spec.disabled, true);
  });
});

describe('create / replace / delete', () => {
  const poolYaml = (name: string, cidr: string, extra = '') =>
    `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: ${name}\nspec:\n  cidr: ${cidr}\n${extra}`;

  test('create fails on existing resources; --skip-exists skips them', async () => {
    const h = new CtlHarness();
    assert.equal((await h.run(['create', '-f', '-'], poolYaml('p1', '10.1.0.0/16'))).stdout, "Successfully created 1 'IPPool' resource(s)\n");
    const again = await h.run(['create', '-f', '-'], poolYaml('p1', '10.1.0.0/16'));
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Failed to create 'IPPool' resource: \[resource already exists: IPPool\(p1\)\]/);
    const skip = await h.run(['create', '--skip-exists', '-f', '-'], poolYaml('p1', '10.1.0.0/16') + '---\n' + poolYaml('p2', '10.2.0.0/16'));
    assert.equal(skip.code, 0, skip.stderr);
    assert.match(skip.stdout, /Successfully created 1 'IPPool' resource\(s\)/);
  });

  test('replace of a missing resource fails with calicoctl wording', async () => {
    const h = new CtlHarness();
    const r = await h.run(['replace', '-f', '-'], poolYaml('p1', '10.1.0.0/16'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Failed to replace 'IPPool' resource: \[resource does not exist: IPPool\(p1\) with error: /);
    await h.run(['create', '-f', '-'], poolYaml('p1', '10.1.0.0/16'));
    const ok = await h.run(['replace', '-f', '-'], poolYaml('p1', '10.1.0.0/16', '  disabled: true\n'));
    assert.equal(ok.stdout, "Successfully replaced 1 'IPPool' resource(s)\n");
  });

  test('delete by name and by file', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', DOCS]);
    const one = await h.run(['delete', 'ippool', 'my.ippool-1']);
    assert.equal(one.stdout, "Successfully deleted 1 'IPPool' resource(s)\n");
    const missing = await h.run(['delete', 'ippool', 'my.ippool-1']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Failed to delete 'IPPool' resource: \[resource does not exist: IPPool\(my\.ippool-1\) with error: /);
    assert.equal((await h.run(['delete', '--skip-not-exists', 'ippool', 'my.ippool-1'])).code, 0);
    const np = await h.run(['delete', '-f', join(DOCS, 'networkpolicy.yaml')]);
    assert.equal(np.stdout, "Successfully deleted 2 'NetworkPolicy' resource(s)\n");
    assert.equal((await h.ds.list('NetworkPolicy')).items.length, 0);
    const ns = await h.run(['delete', 'gnp', 'allow-tcp-6379', 'deny-blocklist']);
    assert.equal(ns.stdout, "Successfully deleted 2 'GlobalNetworkPolicy' resource(s)\n");
  });
});

describe('get', () => {
  test('one name prints the object; several print a <Kind>List; json follows Go field order', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', join(DOCS, 'ippool.yaml')]);
    const one = parse((await h.run(['get', 'ippool', 'rack-1-pool', '-o', 'yaml'])).stdout);
    assert.equal(one.kind, 'IPPool');
    const list = parse((await h.run(['get', 'ippools', '-o', 'yaml'])).stdout);
    assert.equal(list.kind, 'IPPoolList');
    assert.equal(list.apiVersion, 'projectcalico.org/v3');
    assert.deepEqual(list.items.map((i: Resource) => i.metadata.name), ['default-ipv6-ippool', 'my.ippool-1', 'rack-1-pool']);
    const json = (await h.run(['get', 'ippool', 'rack-1-pool', '-o', 'json'])).stdout;
    assert.ok(json.startsWith('{\n  "kind": "IPPool",\n  "apiVersion": "projectcalico.org/v3",\n  "metadata"'), json);
    const missing = await h.run(['get', 'ippool', 'rack-1-pool', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /resource does not exist: IPPool\(nope\) with error: /);
  });

  test('get -f shows what a file names, one table per kind', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', join(DOCS, 'other-kinds.yaml')]);
    const r = await h.run(['get', '-f', join(DOCS, 'other-kinds.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const tables = r.stdout.trimEnd().split('\n\n').map((t) => t.split('\n')[0]!.trim().split(/\s+/));
    assert.deepEqual(tables, [['NAME', 'NODE'], ['NAME'], ['NAME'], ['NAME'], ['NAME'], ['NAME', 'ORDER'], ['NAME', 'STRICTAFFINITY', 'AUTOALLOCATEBLOCKS'], ['NAME']]);
    const y = parse((await h.run(['get', '-f', join(DOCS, 'other-kinds.yaml'), '-o', 'yaml'])).stdout);
    assert.equal(y.kind, 'List');
    assert.equal(y.items.length, 8);
  });

  test('a YAML list from get applies back unchanged (round trip)', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', DOCS]);
    const dump = (await h.run(['get', 'gnp', '-o', 'yaml'])).stdout;
    const before = parse(dump).items.map((i: Resource) => i.spec);
    const h2 = new CtlHarness();
    const r = await h2.run(['create', '-f', '-'], dump.replace(/\n\s+(resourceVersion|uid|creationTimestamp): .*/g, ''));
    assert.equal(r.code, 0, r.stderr);
    const after = parse((await h2.run(['get', 'gnp', '-o', 'yaml'])).stdout).items.map((i: Resource) => i.spec);
    assert.deepEqual(after, before);
  });

  test('namespaces: default, -n, -A with a NAMESPACE column', async () => {
    const h = new CtlHarness();
    const set = (ns: string, name: string) => `apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  nets: [10.0.0.0/8]\n---\n`;
    assert.equal((await h.run(['apply', '-f', '-'], set('default', 'a') + set('prod', 'b') + set('prod', 'c'))).code, 0);
    assert.deepEqual(tableRows((await h.run(['get', 'netsets'])).stdout), [['NAME'], ['a']]);
    assert.deepEqual(tableRows((await h.run(['get', 'netsets', '-n', 'prod'])).stdout), [['NAMESPACE', 'NAME'], ['prod', 'b'], ['prod', 'c']]);
    assert.deepEqual(tableRows((await h.run(['get', 'netsets', '-A', '-o', 'wide'])).stdout), [['NAMESPACE', 'NAME', 'NETS'], ['default', 'a', '10.0.0.0/8'], ['prod', 'b', '10.0.0.0/8'], ['prod', 'c', '10.0.0.0/8']]);
    assert.equal((await h.run(['get', 'netsets', '-A', '-n', 'prod'])).code, 2);
    const mismatch = await h.run(['apply', '-n', 'other', '-f', '-'], set('prod', 'd'));
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /resource namespace does not match client namespace\. prod != other/);
    const cluster = await h.run(['get', 'ippools', '-n', 'prod']);
    assert.equal(cluster.code, 2);
    assert.match(cluster.stderr, /IPPool is not namespaced/);
  });

  test('--selector filters by labels; a bad selector is a usage error', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', join(DOCS, 'ippool.yaml')]);
    await h.run(['label', 'ippool', 'rack-1-pool', 'zone=east']);
    await h.run(['label', 'ippool', 'my.ippool-1', 'zone=west']);
    assert.deepEqual(tableRows((await h.run(['get', 'ippools', '--selector', "zone == 'east'"])).stdout).map((r) => r[0]), ['NAME', 'rack-1-pool']);
    assert.deepEqual(tableRows((await h.run(['get', 'ippools', '--selector', 'has(zone)'])).stdout).map((r) => r[0]), ['NAME', 'my.ippool-1', 'rack-1-pool']);
    const bad = await h.run(['get', 'ippools', '--selector', 'zone =='] );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid selector/);
  });

  test('wide node and peer tables', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', '-'], 'apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: node1\nspec:\n  bgp:\n    ipv4Address: 10.0.0.1/24\n---\napiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: node2\nspec:\n  bgp:\n    ipv4Address: 10.0.0.2/24\n    asNumber: 65001\n');
    assert.deepEqual(tableRows((await h.run(['get', 'nodes', '-o', 'wide'])).stdout), [['NAME', 'ASN', 'IPV4', 'IPV6'], ['node1', '(64512)', '10.0.0.1/24'], ['node2', '65001', '10.0.0.2/24']]);
    await h.run(['apply', '-f', join(DOCS, 'bgppeer.yaml')]);
    assert.deepEqual(tableRows((await h.run(['get', 'bgppeers'])).stdout)[2], ['some.name', '192.168.1.1', 'rack1-host1', '63400']);
  });
});

describe('patch and label', () => {
  test('patch applies a JSON merge patch and validates the result', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', join(DOCS, 'ippool.yaml')]);
    const ok = await h.run(['patch', 'ippool', 'rack-1-pool', '-p', '{"spec":{"natOutgoing":false,"disabled":true}}']);
    assert.equal(ok.stdout, "Successfully patched 1 'IPPool' resource\n");
    const got = (await h.ds.get('IPPool', 'rack-1-pool'))!;
    assert.equal(got.spec.natOutgoing, false);
    assert.equal(got.spec.disabled, true);
    const bad = await h.run(['patch', 'ippool', 'rack-1-pool', '-p', '{"spec":{"ipipMode":"Always"}}']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Failed to patch 'IPPool' resource: \[IPPool\(rack-1-pool\): error with field spec\.vxlanMode/);
    assert.equal((await h.run(['patch', 'ippool', 'rack-1-pool', '-p', '{"spec":'])).code, 2);
    assert.equal((await h.run(['patch', 'ippool', 'nope', '-p', '{}'])).code, 1);
  });

  test('label set, overwrite, remove', async () => {
    const h = new CtlHarness();
    await h.run(['apply', '-f', join(DOCS, 'ippool.yaml')]);
    assert.equal((await h.run(['label', 'ippools', 'rack-1-pool', 'env=prod'])).stdout, 'Successfully set label env on ippool rack-1-pool\n');
    const clash = await h.run(['label', 'ippools', 'rack-1-pool', 'env=dev']);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /already exists.*--overwrite/);
    assert.equal((await h.run(['label', 'ippools', 'rack-1-pool', 'env=dev', '--overwrite'])).code, 0);
    assert.deepEqual((await h.ds.get('IPPool', 'rack-1-pool'))!.metadata.labels, { env: 'dev' });
    const badValue = await h.run(['label', 'ippools', 'rack-1-pool', 'env=not valid', '--overwrite']);
    assert.equal(badValue.code, 1);
    assert.match(badValue.stderr, /metadata\.labels\.env/);
    assert.equal((await h.run(['label', 'ippools', 'rack-1-pool', 'env', '--remove'])).stdout, 'Successfully removed label env from ippool rack-1-pool\n');
    assert.equal((await h.run(['label', 'ippools', 'rack-1-pool', 'env', '--remove'])).code, 1);
  });
});

describe('Kubernetes NetworkPolicy documents', () => {
  test('apply converts networking.k8s.io/v1 NetworkPolicy to a Calico NetworkPolicy', async () => {
    const h = new CtlHarness();
    const k8s = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-frontend\n  namespace: web\nspec:\n  podSelector:\n    matchLabels:\n      app: backend\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: frontend\n';
    const r = await h.run(['apply', '-f', '-'], k8s);
    assert.equal(r.code, 0, r.stderr);
    const items = (await h.ds.list('NetworkPolicy', { namespace: 'web' })).items;
    assert.equal(items.length, 1);
    assert.equal(items[0]!.spec.tier, 'default');
    assert.deepEqual(items[0]!.spec.types, ['Ingress']);
    const bad = await h.run(['apply', '-f', '-'], k8s.replace('podSelector:\n    matchLabels', 'podSelector:\n    matchLabelz'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /KubernetesNetworkPolicy\(web\/allow-frontend\)/);
  });
});

describe('version', () => {
  test('prints client and cluster versions in calicoctl layout', async () => {
    const h = new CtlHarness();
    const none = await h.run(['version']);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /^Client Version: {4}v\d+\.\d+\.\d+\nGit commit: {8}\S+\n$/);
    assert.match(none.stderr, /Unable to retrieve Cluster Version or Type/);
    await h.ds.create({ apiVersion: 'projectcalico.org/v3', kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { calicoVersion: 'v0.1.0', clusterType: 'tabby,bgp', datastoreReady: true } });
    const r = await h.run(['version']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[2], 'Cluster Version:   v0.1.0');
    assert.equal(lines[3], 'Cluster Type:      tabby,bgp');
  });
});
