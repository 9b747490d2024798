// Issue 17's policy items end to end in a lab (real CNI executables, `tabby node run` agents enforcing):
// * `tabby lab run --service-account NAME --port NAME:PORT/PROTO`: the WorkloadEndpoints carry
//   serviceAccountName, the serviceaccount label, the ksa.<ns>.<sa> profile and the named ports (as Calico's
//   Kubernetes pod conversion does), and a policy naming both (`source.serviceAccounts`,
//   `destination.ports: [http]`) is enforced;
// * a HostEndpoint (matched by expectedIPs, so the agent reads its interfaces) under a deny-all host policy:
//   the node stays reachable on a failsafe port, a non-failsafe port is blocked, pods still reach each other
//   across nodes (IPIP between nodes is let through, as Felix does), and deleting it reopens the node.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { labFixture, mustTabby, readState, skip, tabby } from './helpers.ts';
import { PodAgent } from '../policy/lab.ts';
import { waitUntil } from '../helpers/wait.ts';

const AGENT = fileURLToPath(new URL('../policy/pod-agent.mjs', import.meta.url));

describe('lab: service accounts, named ports and host endpoints', { skip }, () => {
  const cleanups: (() => void)[] = [];
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
    for (const c of cleanups) c();
  });

  test('WorkloadEndpoints carry service accounts and named ports, policies using them are enforced; a host endpoint keeps failsafe ports open', async () => {
    const { name, cleanup } = labFixture();
    cleanups.push(cleanup);
    mustTabby(['lab', 'up', '--name', name, '--nodes', '2'], { timeoutMs: 300_000 });
    mustTabby(['lab', 'run', 'api', '--name', name, '--node', 'node01', '--service-account', 'api-sa', '--port', 'http:8080/TCP', '--port', 'metrics:9100']);
    mustTabby(['lab', 'run', 'client', '--name', name, '--node', 'controlplane', '--service-account', 'frontend']);
    mustTabby(['lab', 'run', 'other', '--name', name, '--node', 'controlplane']);
    const rows = mustTabby(['lab', 'pods', '--name', name, '-o', 'wide']).trim().split('\n').slice(1).map((l) => l.split(/\s+/));
    const pod = (app: string) => {
      const r = rows.find((x) => x[0]!.startsWith(`${app}-`));
      assert.ok(r, `pod of ${app}`);
      return { name: r[0]!, ip: r[5]!, netns: `${name}-${r[0]!}` };
    };
    const [api, client, other] = [pod('api'), pod('client'), pod('other')];

    const weps = YAML.parse(mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'get', 'workloadendpoints', '-A', '-o', 'yaml'])).items as any[];
    const wepOf = (p: { name: string }) => weps.find((w) => w.spec.pod === p.name);
    assert.equal(wepOf(api).spec.serviceAccountName, 'api-sa');
    assert.equal(wepOf(api).metadata.labels['projectcalico.org/serviceaccount'], 'api-sa');
    assert.deepEqual(wepOf(api).spec.profiles, ['kns.default', 'ksa.default.api-sa']);
    assert.deepEqual(wepOf(api).spec.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }]);
    assert.equal(wepOf(other).spec.serviceAccountName, 'default');
    const saProfile = YAML.parse(mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'get', 'profile', 'ksa.default.frontend', '-o', 'yaml']));
    assert.deepEqual(saProfile.spec.labelsToApply, { 'pcsa.projectcalico.org/name': 'frontend' });

    // Servers in the api pod; probe clients in the others (processes in the lab's pod namespaces, killed by PID).
    const agentIn = (netns: string, ports: string[]) => {
      const child = spawn('ip', ['netns', 'exec', netns, process.execPath, AGENT, ...ports], { stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(child);
      return new PodAgent(child);
    };
    const server = agentIn(api.netns, ['8080', '8081', '9100']);
    const fromClient = agentIn(client.netns, []);
    const fromOther = agentIn(other.netns, []);
    await Promise.all([server, fromClient, fromOther].map((a) => a.call({ op: 'ready' })));
    const probe = async (from: PodAgent, port: number) => (await from.call({ op: 'probe', host: api.ip, port, proto: 'tcp', timeoutMs: 1000 })).ok === true;
    assert.ok(await waitUntil(() => probe(fromOther, 8080), { timeoutMs: 20_000, everyMs: 200 }), 'before any policy every pod reaches api:8080');

    const policy = YAML.stringify({
      apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'api-from-frontend', namespace: 'default' },
      spec: {
        selector: "app == 'api'", types: ['Ingress'],
        ingress: [{ action: 'Allow', protocol: 'TCP', source: { serviceAccounts: { names: ['frontend'] } }, destination: { ports: ['http'] } }],
      },
    });
    mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'apply', '-f', '-'], { input: policy });
    const matrix = async () => ({
      clientHttp: await probe(fromClient, 8080), clientOther: await probe(fromClient, 8081), clientMetrics: await probe(fromClient, 9100),
      otherHttp: await probe(fromOther, 8080),
    });
    const want = { clientHttp: true, clientOther: false, clientMetrics: false, otherHttp: false };
    let got = await matrix();
    await waitUntil(async () => { got = await matrix(); return JSON.stringify(got) === JSON.stringify(want); }, { timeoutMs: 30_000, everyMs: 500 });
    assert.deepEqual(got, want, 'only the frontend service account reaches api, and only on its port named http');
    mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'delete', 'networkpolicy', 'api-from-frontend', '-n', 'default']);

    // A host endpoint on node01's fabric interface (by address), under a deny-all host policy.
    const node01 = readState(name).nodes.find((n: { name: string }) => n.name === 'node01') as { ns: string; ip: string };
    const onNode = agentIn(node01.ns, ['22', '8080']);
    await onNode.call({ op: 'ready' });
    const toNode = async (port: number) => (await fromClient.call({ op: 'probe', host: node01.ip, port, proto: 'tcp', timeoutMs: 1000 })).ok === true;
    assert.ok(await waitUntil(() => toNode(8080), { timeoutMs: 10_000, everyMs: 200 }), 'node01:8080 is open before any host endpoint');
    const hostPolicy = [
      { apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'node01-fabric', labels: { role: 'node' } }, spec: { node: 'node01', expectedIPs: [node01.ip] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'nodes-deny-all' }, spec: { selector: "role == 'node'", types: ['Ingress', 'Egress'] } },
    ].map((o) => YAML.stringify(o)).join('---\n');
    mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'apply', '-f', '-'], { input: hostPolicy });
    let hep = { failsafe22: false, blocked8080: false };
    await waitUntil(async () => { hep = { failsafe22: await toNode(22), blocked8080: !(await toNode(8080)) }; return hep.failsafe22 && hep.blocked8080; }, { timeoutMs: 30_000, everyMs: 500 });
    assert.deepEqual(hep, { failsafe22: true, blocked8080: true }, 'failsafe tcp:22 open, tcp:8080 blocked');
    const check = tabby(['lab', 'check', '--name', name], { timeoutMs: 120_000 });
    assert.equal(check.status, 0, `pods still reach each other across nodes:\n${check.stdout}${check.stderr}`);
    mustTabby(['lab', 'exec-node', 'controlplane', '--name', name, '--', 'tabby', 'delete', 'hostendpoint', 'node01-fabric']);
    assert.ok(await waitUntil(() => toNode(8080), { timeoutMs: 30_000, everyMs: 500 }), 'deleting the host endpoint reopens node01:8080');
    mustTabby(['lab', 'down', '--name', name], { timeoutMs: 120_000 });
  });
});
