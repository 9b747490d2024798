// The CRI client against a gRPC server on a unix socket that speaks raw bytes: requests are compared with
// protobuf encodings written out by hand from the field numbers of k8s.io/cri-api
// pkg/apis/runtime/v1/api.proto (so a wrong number in the client's proto fails here), and responses are
// hand-encoded the same way. Also the pure parts of the runtimes: containerd's and podman's config files,
// kubelet's sandbox config, the netns in containerd's verbose status. No root needed.
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CriClient, CriError, isNotFound } from '../../src/lab/cri-client.ts';
import { containerdConfig, netnsFromInfo, sandboxConfig } from '../../src/lab/containerd.ts';
import { containersConf } from '../../src/lab/podman.ts';
import { parsePodRuntime } from '../../src/lab/pod-runtime.ts';

/** Protobuf wire format by hand: a tag is (field << 3) | wire type; LEN fields carry a varint length. */
const len = (field: number, body: Buffer) => Buffer.concat([Buffer.from([(field << 3) | 2, body.length]), body]);
const str = (field: number, s: string) => len(field, Buffer.from(s));
const varint = (field: number, v: number) => Buffer.from([(field << 3) | 0, v]);
const cat = (...b: Buffer[]) => Buffer.concat(b);

describe('CRI client: wire format of runtime.v1 (field numbers from the upstream api.proto)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tabby-cri-'));
  const socket = path.join(dir, 'cri.sock');
  const seen: { method: string; body: Buffer }[] = [];
  const replies: Record<string, Buffer | grpc.ServiceError> = {};
  const server = new grpc.Server();

  before(async () => {
    const methods = ['Version', 'RunPodSandbox', 'StopPodSandbox', 'RemovePodSandbox', 'PodSandboxStatus', 'ListPodSandbox'];
    const service: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const m of methods) {
      service[m] = {
        path: `/runtime.v1.RuntimeService/${m}`, requestStream: false, responseStream: false,
        requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
      };
      impl[m] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        seen.push({ method: m, body: call.request });
        const r = replies[m] ?? Buffer.alloc(0);
        if (Buffer.isBuffer(r)) cb(null, r); else cb(r);
      };
    }
    server.addService(service, impl);
    await new Promise<void>((res, rej) => server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? rej(e) : res())));
  });
  after(() => {
    server.forceShutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Version: request field 1; response fields 1-4', async () => {
    replies.Version = cat(str(1, '0.1.0'), str(2, 'containerd'), str(3, '1.6.20'), str(4, 'v1'));
    const c = new CriClient(socket);
    try {
      assert.deepEqual(await c.version(), { version: '0.1.0', runtime_name: 'containerd', runtime_version: '1.6.20', runtime_api_version: 'v1' });
      assert.deepEqual(seen.at(-1), { method: 'Version', body: str(1, '0.1.0') });
    } finally { c.close(); }
  });

  test('RunPodSandbox: config{metadata 1, hostname 2, labels 6, linux 8{security_context 2{namespace_options 1}}}, runtime_handler 2', async () => {
    replies.RunPodSandbox = str(1, 'abc');
    const c = new CriClient(socket);
    try {
      const id = await c.runPodSandbox({
        metadata: { name: 'a', uid: 'u', namespace: 'n', attempt: 1 }, hostname: 'h', labels: { k: 'v' },
        linux: { security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER' } } },
      }, 'rh');
      assert.equal(id, 'abc');
      const metadata = cat(str(1, 'a'), str(2, 'u'), str(3, 'n'), varint(4, 1));
      const labels = len(6, cat(str(1, 'k'), str(2, 'v')));
      // NamespaceMode POD = 0 (set explicitly, so written: protobufjs writes given fields), CONTAINER = 1.
      const linux = len(8, len(2, len(1, cat(varint(1, 0), varint(2, 1)))));
      const config = len(1, cat(len(1, metadata), str(2, 'h'), labels, linux));
      assert.deepEqual(seen.at(-1)!.body, cat(config, str(2, 'rh')));
    } finally { c.close(); }
  });

  test('PodSandboxStatus: request {id 1, verbose 2}; response status{id 1, metadata 2, state 3, network 5{ip 1}}, info 2', async () => {
    replies.PodSandboxStatus = cat(
      len(1, cat(str(1, 'abc'), len(2, cat(str(1, 'a'), str(3, 'n'))), varint(3, 1), len(5, str(1, '10.0.0.7')))),
      len(2, cat(str(1, 'info'), str(2, '{"x":1}'))),
    );
    const c = new CriClient(socket);
    try {
      const r = await c.podSandboxStatus('abc', true);
      assert.deepEqual(seen.at(-1)!.body, cat(str(1, 'abc'), varint(2, 1)));
      assert.equal(r.status.id, 'abc');
      assert.equal(r.status.state, 'SANDBOX_NOTREADY');
      assert.equal(r.status.metadata.name, 'a');
      assert.equal(r.status.metadata.namespace, 'n');
      assert.equal(r.status.network?.ip, '10.0.0.7');
      assert.deepEqual(r.info, { info: '{"x":1}' });
    } finally { c.close(); }
  });

  test('ListPodSandbox: filter 1{id 1, state 2{state 1}, label_selector 3}; items 1{id 1, metadata 2, state 3}', async () => {
    replies.ListPodSandbox = cat(len(1, cat(str(1, 's1'), len(2, str(1, 'p')), varint(3, 0))), len(1, str(1, 's2')));
    const c = new CriClient(socket);
    try {
      const items = await c.listPodSandbox({ state: 'SANDBOX_NOTREADY', label_selector: { a: 'b' } });
      assert.deepEqual(seen.at(-1)!.body, len(1, cat(len(2, varint(1, 1)), len(3, cat(str(1, 'a'), str(2, 'b'))))));
      assert.deepEqual(items.map((i) => [i.id, i.state]), [['s1', 'SANDBOX_READY'], ['s2', 'SANDBOX_READY']]);
      assert.equal(items[0]!.metadata.name, 'p');
    } finally { c.close(); }
  });

  test('Stop/RemovePodSandbox: pod_sandbox_id 1; NOT_FOUND is recognisable, other errors carry their code', async () => {
    const c = new CriClient(socket);
    try {
      await c.stopPodSandbox('s1');
      assert.deepEqual(seen.at(-1), { method: 'StopPodSandbox', body: str(1, 's1') });
      replies.RemovePodSandbox = Object.assign(new Error('gone'), { code: grpc.status.NOT_FOUND, details: 'sandbox s9 not found', metadata: new grpc.Metadata() });
      const e = await c.removePodSandbox('s9').then(() => undefined, (x) => x);
      assert.ok(e instanceof CriError && isNotFound(e), String(e));
      assert.match(e.message, /CRI RemovePodSandbox failed \(NOT_FOUND\): sandbox s9 not found/);
      replies.StopPodSandbox = Object.assign(new Error('x'), { code: grpc.status.UNKNOWN, details: 'failed to destroy network', metadata: new grpc.Metadata() });
      const u = await c.stopPodSandbox('s1').then(() => undefined, (x) => x);
      assert.ok(u instanceof CriError && !isNotFound(u));
    } finally { c.close(); }
  });

  test('a runtime that does not listen: UNAVAILABLE, within the deadline', async () => {
    const c = new CriClient(path.join(dir, 'nobody.sock'), 1500);
    try {
      const t0 = Date.now();
      const e = await c.version().then(() => undefined, (x) => x);
      assert.ok(e instanceof CriError);
      assert.ok([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED].includes(e.grpcCode!), e.message);
      assert.ok(Date.now() - t0 < 5000);
    } finally { c.close(); }
  });
});

describe('runtime configuration (pure)', () => {
  test('containerd: private root/state/socket, CRI on Tabby\'s CNI dirs and the local sandbox image', () => {
    const files = { pid: 0, dir: '/l/n/containerd', socket: '/l/n/containerd/containerd.sock', config: '/l/n/containerd/config.toml', logFile: '/l/x.log' };
    const toml = containerdConfig(files, '/l/cni/runtime-bin', '/l/n/net.d');
    for (const line of ['version = 2', 'root = "/l/n/containerd/root"', 'state = "/l/n/containerd/state"', '  address = "/l/n/containerd/containerd.sock"',
      '[plugins."io.containerd.grpc.v1.cri"]', '  sandbox_image = "tabby.lab/pause:busybox"', '  restrict_oom_score_adj = true',
      '[plugins."io.containerd.grpc.v1.cri".cni]', '  bin_dir = "/l/cni/runtime-bin"', '  conf_dir = "/l/n/net.d"', '  max_conf_num = 1']) {
      assert.ok(toml.split('\n').includes(line), `missing: ${line}\n${toml}`);
    }
  });

  test('podman: CNI backend on its own config dir, runc + cgroupfs, tmp dir under the lab', () => {
    const conf = containersConf({ dir: '/l/p', conf: '/l/p/containers.conf', netDir: '/l/p/net.d', root: '/l/p/s', runroot: '/l/pr/0', tmp: '/l/p/tmp' }, '/l/cni/runtime-bin');
    for (const line of ['network_backend = "cni"', 'cni_plugin_dirs = ["/l/cni/runtime-bin"]', 'network_config_dir = "/l/p/net.d"', 'runtime = "runc"', 'cgroup_manager = "cgroupfs"', 'tmp_dir = "/l/p/tmp"']) {
      assert.ok(conf.split('\n').includes(line), `missing: ${line}\n${conf}`);
    }
  });

  test('kubelet\'s sandbox config: metadata from the pod, kubelet\'s labels, pod network namespace', () => {
    const pod = { name: 'web-x', namespace: 'prod', uid: 'u-1', node: 'node01', labels: { app: 'web' }, annotations: { 'a/b': 'c' } } as any;
    const c = sandboxConfig({ dir: '/l' } as any, pod, 2);
    assert.deepEqual(c.metadata, { name: 'web-x', uid: 'u-1', namespace: 'prod', attempt: 2 });
    assert.deepEqual(c.labels, { app: 'web', 'io.kubernetes.pod.name': 'web-x', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.pod.uid': 'u-1' });
    assert.equal(c.annotations?.['a/b'], 'c');
    assert.equal(c.linux?.security_context?.namespace_options?.network, 'POD');
  });

  test('the sandbox netns is read from containerd\'s verbose info (runtimeSpec linux namespaces)', () => {
    const info = { info: JSON.stringify({ pid: 7, runtimeSpec: { linux: { namespaces: [{ type: 'pid' }, { type: 'network', path: '/var/run/netns/cni-1' }] } } }) };
    assert.equal(netnsFromInfo(info), '/var/run/netns/cni-1');
    assert.equal(netnsFromInfo({}), undefined);
    assert.equal(netnsFromInfo({ info: 'not json' }), undefined);
  });

  test('--runtime names one of netns, containerd, podman', () => {
    assert.equal(parsePodRuntime('containerd'), 'containerd');
    assert.throws(() => parsePodRuntime('docker'), /unknown runtime "docker": use one of netns, containerd, podman/);
  });
});
