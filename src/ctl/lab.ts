// `tabby lab …`: the article's cluster on one machine (nodes and pods are network namespaces), and its demo.
import { useRouteReflectors } from '../lab/route-reflectors.ts';
import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';
import { labDown, labUp, mustState, nodeRows } from '../lab/lab.ts';
import { listLabs, pidAlive, readState, withLabLock, type LabState } from '../lab/state.ts';
import { ETCD_MEMBER_COUNTS, LAB_MODES, POD_CIDR, type LabDatastore, type LabMode } from '../lab/topology.ts';
import { etcdMemberStatuses } from '../lab/etcd-cluster.ts';
import { isOurContainerd, parsePodRuntime } from '../lab/pod-runtime.ts';
import { deletePods, formatPods, parseLabels, parsePortSpecs, relabelPod, runPods, setNamespace, table, validateServiceAccount } from '../lab/pods.ts';
import { nodeShellEnv } from '../lab/env.ts';
import { checkReachability } from '../lab/check.ts';
import { runDemo } from '../lab/demo.ts';
import { runSupervisor } from '../lab/supervisor.ts';
import { registerLabTraceCommand } from './lab-trace.ts';
import { registerLabUiCommand } from './ui.ts';

const DEFAULT_LAB = 'tabby';

function labName(opts: { name?: string }): string {
  return opts.name ?? process.env.TABBY_LAB ?? DEFAULT_LAB;
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const warn = (s: string) => process.stderr.write(`warning: ${s}\n`);

function intOption(v: string, what: string): number {
  if (!/^\d+$/.test(v)) throw new CliError(`${what} must be a positive integer, got "${v}"`, EXIT_USAGE);
  return Number(v);
}

/** Runs fn under the lab's lock with its state. */
async function withLab<T>(name: string, fn: (state: ReturnType<typeof mustState>) => Promise<T>): Promise<T> {
  mustState(name);
  return withLabLock(name, async () => fn(mustState(name)));
}

export function registerLabCommands(program: Command): void {
  const lab = program.command('lab').description('a multi-node cluster on this machine (network namespaces), and the article\'s demo');
  // Everything but reading the state enters or creates network namespaces.
  lab.hook('preAction', (_cmd, action) => {
    if (['status', 'pods'].includes(action.name())) return;
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new CliError(`tabby lab ${action.name()} needs root: it creates and enters network namespaces`, EXIT_FAILED);
    }
  });
  registerLabLifecycleCommands(lab);
  registerLabPodCommands(lab);
  registerLabDemoCommands(lab);
  registerLabTraceCommand(lab, nameOpt, labName);
  registerLabUiCommand(lab, nameOpt, labName);
}

const nameOpt = (c: Command) => c.option('--name <lab>', `lab name (default $TABBY_LAB or "${DEFAULT_LAB}")`);

/** up, down, status: the lab itself. */
function registerLabLifecycleCommands(lab: Command): void {
  nameOpt(lab.command('up').description('create the fabric, nodes, router and external host; start `tabby node run` on every node'))
    .option('--nodes <n>', 'number of nodes (controlplane, node01, …)', '2')
    .option('--mode <mode>', `routing mode: ${LAB_MODES.join('|')}`, 'ipip')
    .option('--datastore <type>', 'embedded|etcdv3 (calicoctl\'s name; etcd also accepted)', 'embedded')
    .option('--etcd-members <n>', 'with --datastore etcdv3: 1 (on the controlplane), 3 or 5 (a cluster, one namespace per member)', '1')
    .option('--etcd-tls', 'with --datastore etcdv3: TLS for clients and peers, client certificates required (lab CA)')
    .option('--subnets <n>', '1 or 2 (two subnets joined by the router)', '1')
    .option('--pod-cidr <cidr>', 'the default IP pool', POD_CIDR)
    .option('--route-reflectors <k>', 'then make k nodes route reflectors and turn the node-to-node mesh off (see `lab route-reflectors`)', '0')
    .action(async (o) => {
      const mode = o.mode as LabMode;
      if (!LAB_MODES.includes(mode)) throw new CliError(`--mode must be one of ${LAB_MODES.join('|')}, got "${o.mode}"`, EXIT_USAGE);
      if (o.datastore === 'etcdv3') o.datastore = 'etcd'; // calicoctl's DATASTORE_TYPE name
      if (o.datastore !== 'embedded' && o.datastore !== 'etcd') throw new CliError(`--datastore must be embedded or etcdv3, got "${o.datastore}"`, EXIT_USAGE);
      const subnets = intOption(o.subnets, '--subnets');
      if (subnets !== 1 && subnets !== 2) throw new CliError(`--subnets must be 1 or 2, got ${subnets}`, EXIT_USAGE);
      const etcdMembers = intOption(o.etcdMembers, '--etcd-members');
      if (o.datastore !== 'etcd' && (etcdMembers !== 1 || o.etcdTls)) {
        throw new CliError(`${etcdMembers !== 1 ? '--etcd-members' : '--etcd-tls'} needs --datastore etcdv3`, EXIT_USAGE);
      }
      if (!ETCD_MEMBER_COUNTS.includes(etcdMembers)) throw new CliError(`--etcd-members must be ${ETCD_MEMBER_COUNTS.join(', ')}, got ${etcdMembers}`, EXIT_USAGE);
      const name = labName(o);
      const reflectors = intOption(o.routeReflectors, '--route-reflectors');
      const t0 = Date.now();
      const { state, warnings } = await labUp({
        name, nodes: intOption(o.nodes, '--nodes'), mode, datastore: o.datastore as LabDatastore, subnets, podCidr: o.podCidr,
        etcdMembers, etcdTls: o.etcdTls === true,
      }, out);
      for (const w of warnings) warn(w);
      if (reflectors > 0 && warnings.length === 0) await useRouteReflectors(state, reflectors, out);
      out(`lab ${name} is up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${state.nodes.length} node(s), mode ${state.mode}, datastore ${state.datastore}`);
      out(table([['NODE', 'IP', 'NAMESPACE', 'AGENT', 'STATE', 'RESTARTS'], ...nodeRows(state).map((r) => [r.name, r.ip, r.ns, r.agent, r.state, r.restarts])]));
      if (warnings.length > 0) {
        throw new CliError(`lab ${name} is up but degraded (see the warnings above); \`tabby lab down --name ${name}\` removes it`, EXIT_FAILED);
      }
    });

  nameOpt(lab.command('down').description('stop every process and remove every namespace the lab made (also after a crash)'))
    .action(async (o) => {
      const name = labName(o);
      if (!(await labDown(name, out))) out(`no lab named ${name}: nothing to do`);
    });

  nameOpt(lab.command('status').description('the lab, its nodes and agents'))
    .action(async (o) => {
      const names = o.name || process.env.TABBY_LAB ? [labName(o)] : listLabs();
      if (names.length === 0) {
        out('no labs');
        return;
      }
      for (const name of names) {
        const s = readState(name);
        if (!s) throw new CliError(`no lab named "${name}"`, EXIT_FAILED);
        const phase = s.phase === 'up' ? 'up'
          : pidAlive(s.ownerPid) ? `being created (by PID ${s.ownerPid})` : 'INCOMPLETE (`tabby lab down` cleans it up)';
        out(`lab ${s.name}: ${phase}, mode ${s.mode}, datastore ${s.datastore}${s.etcd ? ` (${(s.etcd.endpoints ?? [s.etcd.endpoint]).join(',')}${s.etcd.tls ? ', TLS' : ''})` : ''}, ${s.subnets} subnet(s), pool ${s.podCidr}, ${s.pods.length} pod(s), since ${s.createdAt}`);
        const supervisor = s.supervisor?.pid && pidAlive(s.supervisor.pid) ? `running (PID ${s.supervisor.pid})` : 'NOT RUNNING (agents are not restarted)';
        out(`supervisor: ${supervisor}`);
        out(table([['NODE', 'IP', 'NAMESPACE', 'AGENT', 'STATE', 'RESTARTS', 'LAST EXIT', 'PODS'],
          ...nodeRows(s).map((r) => [r.name, r.ip, r.ns, r.agent, r.state, r.restarts, r.lastExit, String(s.pods.filter((p) => p.node === r.name).length)])]));
        if (s.etcd?.members && s.phase === 'up') out(await etcdStatusTable(s));
        for (const n of s.nodes.filter((x) => x.containerd)) {
          const c = n.containerd!;
          out(`containerd on ${n.name}: ${isOurContainerd(c) ? `running (PID ${c.pid})` : 'not running (started again on next use)'}, CRI socket ${c.socket}`);
        }
      }
    });

  // Started by `lab up` (detached), stopped by `lab down`: not for people to run.
  nameOpt(lab.command('supervise', { hidden: true }).description('restart the lab\'s node agents when they die (started by `lab up`)'))
    .action(async (o) => {
      await runSupervisor(labName(o));
    });
}

/** The etcd members: process, whether it answers, which one leads. */
async function etcdStatusTable(s: LabState): Promise<string> {
  const rows = (await etcdMemberStatuses(s)).map((m) => [
    m.member.name, m.member.clientUrl, m.member.ns,
    m.process === 'running' ? `running (PID ${m.member.pid})` : m.process === 'stopped' ? `stopped/SIGSTOP (PID ${m.member.pid})` : 'not running',
    m.isLeader ? 'leader' : m.answering ? 'follower' : 'not answering',
  ]);
  return table([['ETCD MEMBER', 'CLIENT URL', 'NAMESPACE', 'PROCESS', 'ROLE'], ...rows]);
}

/** `lab run`: a deployment's pods, networked by the CNI plugin. */
function registerLabRun(lab: Command): void {
  nameOpt(lab.command('run <name>').description('create a deployment\'s pods (namespaces) and network them through the CNI plugin'))
    .option('--replicas <n>', 'number of pods', '1')
    .option('--node <node>', 'put every pod on this node (default: spread over the nodes)')
    .option('-n, --namespace <ns>', 'Kubernetes namespace', 'default')
    .option('--labels <k=v,…>', 'pod labels (app=<name> is always set)')
    .option('--service-account <name>', 'the pods\' ServiceAccount (default: default); its WorkloadEndpoints carry it')
    .option('--port <NAME:PORT/PROTO>', 'a named container port (repeatable), e.g. http:8080/TCP; rules may name it', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--annotation <key=value>', 'pod annotation, repeatable (e.g. cni.projectcalico.org/ipv4pools=\'["pool-a"]\'), passed in CNI_ARGS',
      (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--concurrency <n>', 'CNI ADDs in flight', '4')
    .option('--runtime <name>', 'who makes the pods\' sandboxes: netns (the lab itself; default), containerd (CRI, as kubelet drives it) or podman')
    .action(async (app: string, o, cmd: Command) => {
      const labels = o.labels ? parseLabels([o.labels]) : { set: {}, remove: [] };
      if (labels.remove.length > 0) throw new CliError('--labels takes k=v pairs only', EXIT_USAGE);
      let ports: ReturnType<typeof parsePortSpecs> | undefined;
      try {
        ports = o.port.length > 0 ? parsePortSpecs(o.port) : undefined;
        if (o.serviceAccount !== undefined) validateServiceAccount(o.serviceAccount);
        if (o.runtime !== undefined) parsePodRuntime(o.runtime);
      } catch (e) {
        throw new CliError((e as Error).message, EXIT_USAGE);
      }
      const annotations = parseAnnotations(o.annotation);
      await withLab(labName(o), async (state) => {
        const r = await runPods(state, {
          app, replicas: intOption(o.replicas, '--replicas'), replicasGiven: cmd.getOptionValueSource('replicas') === 'cli',
          node: o.node, namespace: o.namespace, labels: labels.set, annotations, concurrency: intOption(o.concurrency, '--concurrency'),
          serviceAccount: o.serviceAccount, ports, runtime: o.runtime,
        });
        for (const w of r.warnings) warn(w);
        out(runSummary(app, r));
        const failed = r.pods.filter((p) => p.status !== 'Running');
        if (failed.length > 0) throw new CliError(`${failed.length} pod(s) failed to start: ${failed[0]!.error}`, EXIT_FAILED);
        if (r.deleteErrors.length > 0) throw new CliError(r.deleteErrors.join('\n'), EXIT_FAILED);
      });
    });
}

/** run, pods, exec, exec-node, delete, label, ns: pods and namespaces in a running lab. */
function registerLabPodCommands(lab: Command): void {
  registerLabRun(lab);

  nameOpt(lab.command('pods').description('list pods like `kubectl get pods`'))
    .option('-o, --output <fmt>', 'wide')
    .option('-n, --namespace <ns>', 'Kubernetes namespace', 'default')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .action(async (o) => {
      if (o.output && o.output !== 'wide') throw new CliError(`-o must be "wide", got "${o.output}"`, EXIT_USAGE);
      out(formatPods(mustState(labName(o)), { wide: o.output === 'wide', namespace: o.namespace, allNamespaces: o.allNamespaces }).trimEnd());
    });

  nameOpt(lab.command('exec <pod> <command...>').description('run a command in a pod: tabby lab exec POD -- CMD…'))
    .allowUnknownOption()
    .action(async (podName: string, cmd: string[], o) => {
      const state = mustState(labName(o));
      const pod = state.pods.find((p) => p.name === podName);
      if (!pod) throw new CliError(`no pod named "${podName}" in lab ${state.name}`, EXIT_FAILED);
      process.exitCode = passthrough(['ip', 'netns', 'exec', pod.netns, ...cmd], process.env);
    });

  nameOpt(lab.command('exec-node <node> <command...>').description('run a command on a node (tabby there talks to the lab\'s datastore)'))
    .allowUnknownOption()
    .action(async (nodeName: string, cmd: string[], o) => {
      const state = mustState(labName(o));
      const node = state.nodes.find((n) => n.name === nodeName);
      if (!node) throw new CliError(`no node "${nodeName}" in lab ${state.name} (nodes: ${state.nodes.map((n) => n.name).join(', ')})`, EXIT_FAILED);
      process.exitCode = passthrough(['ip', 'netns', 'exec', node.ns, ...cmd], { ...process.env, ...nodeShellEnv(state, node) });
    });

  nameOpt(lab.command('delete <name>').description('delete a pod, or every pod of a deployment (CNI DEL, then the namespace)'))
    .action(async (name: string, o) => {
      await withLab(labName(o), async (state) => {
        const errors = await deletePods(state, name, out);
        if (errors.length > 0) throw new CliError(errors.join('\n'), EXIT_FAILED);
      });
    });

  nameOpt(lab.command('label <pod> <labels...>').description('relabel a pod (k=v sets, k- removes); its WorkloadEndpoint follows'))
    .action(async (podName: string, items: string[], o) => {
      await withLab(labName(o), async (state) => {
        const pod = relabelPod(state, podName, items);
        out(`pod/${pod.name} labeled: ${Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(',')}`);
      });
    });

  nameOpt(lab.command('ns <name>').description('create or relabel a Kubernetes namespace (Profile kns.<name>)'))
    .option('--labels <k=v,…>', 'namespace labels (k- removes)')
    .action(async (ns: string, o) => {
      await withLab(labName(o), async (state) => {
        const labels = setNamespace(state, ns, o.labels ? [o.labels] : []);
        out(`namespace/${ns} configured: ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '(no labels)'}`);
      });
    });
}

/**
 * `--annotation key=value` items: the key as Kubernetes allows it ([prefix/]name), the value anything but ';',
 * which would end the CNI_ARGS pair that carries it.
 */
export function parseAnnotations(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new CliError(`--annotation takes key=value, got "${item}"`, EXIT_USAGE);
    const key = item.slice(0, i), value = item.slice(i + 1);
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) {
      throw new CliError(`--annotation key "${key}" is not a valid annotation name ([prefix/]name)`, EXIT_USAGE);
    }
    if (value.includes(';')) throw new CliError(`--annotation ${key}: the value may not contain ';' (it travels in CNI_ARGS)`, EXIT_USAGE);
    out[key] = value;
  }
  return out;
}

/** What `lab run` did, in kubectl's words where it has them (`created`, `scaled`). */
function runSummary(app: string, r: Awaited<ReturnType<typeof runPods>>): string {
  const running = `${r.running}/${r.total} pod(s) running`;
  if (r.action === 'created') return `deployment.apps/${app} created: ${running}`;
  if (r.action === 'unchanged') return `deployment.apps/${app} unchanged: already ${r.total} replica(s); ${running}`;
  const change = r.deleted.length ? `deleted ${r.deleted.join(', ')}` : `created ${r.pods.map((p) => p.name).join(', ')}`;
  return `deployment.apps/${app} scaled from ${r.before} to ${r.total} replica(s): ${change}; ${running}`;
}

/** check and the article's demo. */
function registerLabDemoCommands(lab: Command): void {
  nameOpt(lab.command('check').description('ping from every pod to every other pod; non-zero exit when any pair fails'))
    .option('--sample <k>', 'check k random pod pairs (default: every pair up to 20 nodes, 2000 random pairs above)')
    .action(async (o) => {
      const state = mustState(labName(o));
      const r = await checkReachability(state, { sample: o.sample ? intOption(o.sample, '--sample') : undefined });
      for (const f of r.failures.slice(0, 20)) out(`FAIL ${f.from} -> ${f.to} (${f.toIp})`);
      const sampled = r.pairs < r.allPairs ? ` (a random sample of ${r.allPairs})` : '';
      out(`${r.pods} pod(s), ${r.pairs} pair(s)${sampled}: ${r.pairs - r.failures.length} reachable, ${r.failures.length} not (${(r.ms / 1000).toFixed(1)} s)`);
      if (r.pods < 2) throw new CliError('fewer than two running pods: nothing to check', EXIT_FAILED);
      if (r.failures.length > 0) throw new CliError(`${r.failures.length} pair(s) unreachable`, EXIT_FAILED);
    });

  nameOpt(lab.command('route-reflectors <k>').description('make k nodes route reflectors (label, cluster id, BGPPeer) and turn the mesh off; 0: back to the full mesh. Live, losing no packet'))
    .option('--timeout <s>', 'how long each step may take to show in every node\'s BGP status', '120')
    .action(async (k: string, o) => {
      const state = mustState(labName(o));
      const r = await useRouteReflectors(state, intOption(k, 'k'), out, intOption(o.timeout, '--timeout') * 1000);
      out(`${r.reflectors.length ? `route reflectors ${r.reflectors.join(', ')}` : 'full node-to-node mesh'} in ${(r.ms / 1000).toFixed(1)} s`);
    });

  // Its own lab ("demo" unless --name): never $TABBY_LAB, which it would tear down.

  lab.command('demo').description('the article\'s demo, end to end, narrated and checked (IPIP, no-encap, then VXLAN)')
    .option('--name <lab>', 'lab name for the demo (replaced if it exists)', 'demo')
    .option('--keep', 'leave the last lab up at the end')
    .option('--runtime <name>', 'who makes the pods\' sandboxes: netns (default), containerd or podman')
    .action(async (o) => {
      let runtime;
      try { runtime = o.runtime === undefined ? undefined : parsePodRuntime(o.runtime); } catch (e) { throw new CliError((e as Error).message, EXIT_USAGE); }
      const ok = await runDemo({ name: o.name, keep: !!o.keep, out, runtime });
      if (!ok) throw new CliError('demo stopped: a step did not show what the article shows', EXIT_FAILED);
    });
}

/** Runs a command with the terminal attached; returns its exit status (128+signal when killed). */
function passthrough(argv: string[], env: NodeJS.ProcessEnv): number {
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
  if (r.error) throw new CliError(`${argv.join(' ')}: ${r.error.message}`, EXIT_FAILED);
  if (r.signal) return 128 + (({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[r.signal] ?? 1);
  return r.status ?? EXIT_FAILED;
}
