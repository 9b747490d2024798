// `tabby cni install` and a real runtime: Debian's podman with its CNI backend runs containers on the
// installed conflist (machine-and-tools.md §9: runc, cgroupfs, nsenter into a host netns we created,
// --rootfs with busybox-static; storage and run dirs under a temp dir). Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSkipReason } from '../helpers/netns.ts';
import { CniNode, ensureBuilt, ROOT } from './harness.ts';

const skip = netnsSkipReason();
const podmanSkip = skip || (spawnSync('podman', ['--version']).status !== 0 ? 'podman is not installed' : false)
  || (!existsSync('/bin/busybox') ? 'busybox-static is not installed' : false);

describe('tabby cni install and podman', { skip }, () => {
  let n: CniNode;
  let bin: string, confDir: string;
  before(async () => {
    ensureBuilt();
    n = new CniNode('node-1');
    await n.init();
    bin = join(n.dir, 'bin'); confDir = join(n.dir, 'net.d');
  });
  after(() => n?.cleanup());

  test('install puts four executables and a working 10-calico.conflist in place', () => {
    const out = execFileSync(join(ROOT, 'bin', 'tabby'), ['cni', 'install', '--bin-dir', bin, '--conf-dir', confDir,
      '--datastore-path', n.dsPath, '--nodename', 'node-1', '--state-dir', n.stateDir, '--log-file', n.logFile], { encoding: 'utf8' });
    assert.match(out, /wrote .*10-calico\.conflist/);
    for (const exe of ['tabby-cni', 'tabby-ipam', 'calico', 'calico-ipam']) {
      assert.ok(statSync(join(bin, exe)).mode & 0o111, `${exe} is executable`);
      const v = spawnSync(join(bin, exe), [], { env: { CNI_COMMAND: 'VERSION' }, encoding: 'utf8' });
      assert.equal(v.status, 0, v.stderr);
      assert.ok(JSON.parse(v.stdout).supportedVersions.includes('1.0.0'));
    }
    const conflist = JSON.parse(readFileSync(join(confDir, '10-calico.conflist'), 'utf8'));
    assert.equal(conflist.name, 'k8s-pod-network');
    assert.deepEqual(conflist.plugins.map((p: { type: string }) => p.type), ['calico', 'portmap', 'bandwidth']);
    assert.deepEqual(conflist.plugins[0].ipam, { type: 'calico-ipam' });
    assert.equal(conflist.plugins[0].datastore_path, n.dsPath);
    assert.equal(conflist.plugins[0].nodename, 'node-1');
    // The installed `calico` actually attaches a pod with the conflist's first plugin.
    const p = n.newPod();
    const plugin = { cniVersion: conflist.cniVersion, name: conflist.name, ...conflist.plugins[0] };
    const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: p.containerId, CNI_NETNS: p.path, CNI_IFNAME: 'eth0', CNI_PATH: bin, PATH: process.env.PATH! };
    const add = spawnSync('nsenter', [`--net=${n.fx.path(n.host)}`, join(bin, 'calico')], { env, input: JSON.stringify(plugin), encoding: 'utf8' });
    assert.equal(add.status, 0, add.stdout + add.stderr);
    assert.match(JSON.parse(add.stdout).ips[0].address, /^10\.244\./);
    const del = spawnSync('nsenter', [`--net=${n.fx.path(n.host)}`, join(bin, 'calico')], { env: { ...env, CNI_COMMAND: 'DEL' }, input: JSON.stringify(plugin), encoding: 'utf8' });
    assert.equal(del.status, 0, del.stdout + del.stderr);
  });

  test('podman runs a container on our network, reachable under the agent\'s policy; removing it releases its address', { skip: podmanSkip }, async () => {
    // The agent enforces policy: without the network's Profile (created by the plugin, as Calico's does for a
    // runtime without Kubernetes args) its default deny would drop every packet to and from the container.
    const agent = await n.startAgent();
    const rootfs = join(n.dir, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    for (const t of ['sh', 'ip', 'sleep', 'ping', 'cat']) symlinkSync('busybox', join(rootfs, 'bin', t));
    for (const dir of ['proc', 'sys', 'dev', 'etc', 'tmp']) mkdirSync(join(rootfs, dir), { recursive: true });
    writeFileSync(join(n.dir, 'containers.conf'),
      `[network]\nnetwork_backend = "cni"\ncni_plugin_dirs = ["${bin}", "/usr/lib/cni"]\nnetwork_config_dir = "${confDir}"\n` +
      `[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n`);
    const podman = (args: string[]) => {
      const r = spawnSync('nsenter', [`--net=${n.fx.path(n.host)}`, '--', 'podman', '--root', join(n.dir, 'storage'), '--runroot', join(n.dir, 'run'),
        '--runtime', '/usr/sbin/runc', '--cgroup-manager=cgroupfs', ...args],
      { env: { ...process.env, CONTAINERS_CONF: join(n.dir, 'containers.conf') }, encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, out: r.stdout, err: r.stderr };
    };
    // Ulimits as our own (podman's default raises NOFILE beyond what this sandbox allows; see the report).
    const ulimits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
    const run = podman(['run', '-d', '--name', 'web', ...ulimits, '--network', 'k8s-pod-network', '--rootfs', rootfs, '/bin/sleep', '300']);
    try {
      assert.equal(run.status, 0, run.err);
      const inside = podman(['exec', 'web', '/bin/sh', '-c', 'ip -4 addr show eth0; ip route']);
      assert.equal(inside.status, 0, inside.err);
      const ip = /inet (10\.244\.\d+\.\d+)\/32/.exec(inside.out)?.[1];
      assert.ok(ip, `container got a pod address: ${inside.out}`);
      assert.match(inside.out, /default via 169\.254\.1\.1 dev eth0/);
      assert.match(inside.out, /169\.254\.1\.1 dev eth0 scope link/);
      assert.match(n.sh(n.host, ['ip', 'route']), new RegExp(`${ip!.replace(/\./g, '\\.')} dev cali[0-9a-f]{11} scope link`));
      // Another pod, attached by our plugin directly, reaches the container through proxy ARP.
      const other = n.newPod();
      const add = await n.invoke({ command: 'ADD', containerId: other.containerId, netns: other.path, conf: n.conf() });
      assert.equal(add.code, 0, add.stdout);
      const reaches = (ns: string, dst: string) => {
        for (let i = 0; i < 20; i++) if (spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-W', '1', dst]).status === 0) return true;
        return false;
      };
      assert.ok(reaches(other.ns, ip!), `a pod of the same network reaches the container\n${n.agentLog()}`);
      const otherIp = add.json.ips[0].address.split('/')[0];
      const back = podman(['exec', 'web', 'ping', '-c', '1', '-W', '2', otherIp]);
      assert.equal(back.status, 0, `the container reaches the pod: ${back.out}${back.err}`);
      assert.equal((await n.invoke({ command: 'DEL', containerId: other.containerId, netns: other.path, conf: n.conf() })).code, 0);
      const ds = await n.openDs();
      try {
        assert.equal((await ds.list('IPAMHandle')).items.length, 1);
        assert.equal((await ds.list('WorkloadEndpoint')).items.length, 1);
      } finally { await ds.close(); }
    } finally {
      const rm = podman(['rm', '-f', '-t', '0', 'web']);
      await n.stopAgent(agent);
      assert.equal(rm.status, 0, rm.err);
    }
    const ds = await n.openDs();
    try {
      assert.equal((await ds.list('IPAMHandle')).items.length, 0, 'address released when the container is removed');
      assert.equal((await ds.list('WorkloadEndpoint')).items.length, 0);
    } finally { await ds.close(); }
    assert.doesNotMatch(n.sh(n.host, ['ip', '-o', 'link']), /cali/);
  });
});
