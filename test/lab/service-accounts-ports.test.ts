// `tabby lab run --service-account NAME --port NAME:PORT/PROTO`, end to end: the real CNI executables write
// the pods' WorkloadEndpoints with serviceAccountName, the serviceaccount label, the ksa.<ns>.<sa> profile
// and the named ports (as Calico's Kubernetes pod conversion does), and the lab's node agents enforce a
// policy that names both: `source.serviceAccounts` and `destination.ports: [http]`.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { labFixture, mustTabby, skip } from './helpers.ts';
import { PodAgent } from '../policy/lab.ts';
import { waitUntil } from '../helpers/wait.ts';

const AGENT = fileURLToPath(new URL('../policy/pod-agent.mjs', import.meta.url));

describe('lab pods with service accounts and named ports', { skip }, () => {
  const cleanups: (() => void)[] = [];
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
    for (const c of cleanups) c();
  });

  test('the WorkloadEndpoints carry them and a policy using both is enforced', async () => {
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
    mustTabby(['lab', 'down', '--name', name], { timeoutMs: 120_000 });
  });
});
