// The article's demo ("Life of a Packet in Kubernetes — Calico"), run for real and checked step by step:
// IPIP, then the pool switched to ipipMode Never (no encapsulation), then a fresh cluster in VXLAN mode.
// Every step prints the command as the article shows it, its real output, and what it must show; the first
// step that does not show it stops the demo with a message saying what was expected.
import { CommandError, execIn } from './kernel.ts';
import { labDown, labUp, sleep } from './lab.ts';
import { nodeShellEnv, tabbyBin } from './env.ts';
import { formatPods, runPods } from './pods.ts';
import type { LabNodeState, LabPodRuntime, LabPodState, LabState } from './state.ts';
import { agentPid } from './supervisor.ts';
import { NODE_INTERFACE, POD_CIDR, validateLabName, type LabMode } from './topology.ts';
import YAML from 'yaml';
import * as fs from 'node:fs';
import { ipInCIDR } from '../net/ip.ts';
import { TabbyError } from '../errors.ts';
import { labPlace, labTrace } from './trace.ts';
import { renderText } from '../trace/text.ts';

export interface DemoOptions {
  name: string;
  keep: boolean;
  out: (line: string) => void;
  /** How long a converging expectation (routes, BGP) may take. */
  convergeMs?: number;
  /** Who makes the pods' sandboxes (`lab run --runtime`); default the lab's bare namespaces. */
  runtime?: LabPodRuntime | undefined;
}

/**
 * How many numbered steps the demo prints. docs/lab.md lists exactly these (test/docs checks the count), and
 * the demo refuses to call itself successful when it printed another number, so the two cannot drift apart.
 */
export const DEMO_STEP_COUNT = 21;

class StepFailed extends TabbyError {
  constructor(readonly step: string, readonly expected: string, readonly got: string) {
    super('DemoStepFailed', `step "${step}": expected ${expected}`);
  }
}

interface Ctx {
  opts: DemoOptions;
  state?: LabState;
  stepNo: number;
}

const indent = (s: string) => s.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');

/** Runs a command on a node as an admin shell there would (tabby on the PATH, the lab's datastore). */
function onNode(state: LabState, node: LabNodeState, argv: string[], input?: string): string {
  const env = nodeShellEnv(state, node);
  const cmd = argv[0] === 'tabby' ? [tabbyBin(), ...argv.slice(1)] : argv;
  return execIn(node.ns, ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd], { input });
}

function inPod(pod: LabPodState, argv: string[]): string {
  return execIn(pod.netns, argv);
}

function errText(e: unknown): string {
  if (e instanceof CommandError) return (e.stderr || e.stdout || e.message).trim();
  return e instanceof Error ? e.message : String(e);
}

/** Run a command; its failure is a failed step naming the command. */
function must(step: string, what: string, fn: () => string): string {
  try {
    return fn();
  } catch (e) {
    throw new StepFailed(step, `\`${what}\` to succeed`, errText(e));
  }
}

/** Retries `probe` until `ok(output)` or the deadline; returns the last output. */
async function eventually(ctx: Ctx, step: string, expected: string, probe: () => string, ok: (out: string) => boolean): Promise<string> {
  const deadline = Date.now() + (ctx.opts.convergeMs ?? 45_000);
  let last = '';
  for (;;) {
    try {
      last = probe();
      if (ok(last)) return last;
    } catch (e) {
      last = errText(e);
    }
    if (Date.now() > deadline) throw new StepFailed(step, expected, last);
    await sleep(1000);
  }
}

function say(ctx: Ctx, title: string): void {
  ctx.stepNo++;
  ctx.opts.out(`\n== ${ctx.stepNo}. ${title}`);
}

function shown(ctx: Ctx, where: string, command: string, output: string): void {
  ctx.opts.out(`${where} $ ${command}`);
  if (output.trim()) ctx.opts.out(indent(output));
}

function check(ctx: Ctx, what: string): void {
  ctx.opts.out(`  ✓ ${what}`);
}

/** The /26 (or other) block route lines: `blackhole 192.168.49.64/26 proto bird` etc. */
export { ipInCIDR as ipInCidr } from '../net/ip.ts';

/** Finds the route line for the block holding `ip`, matching `re` (whose group 1 is the block CIDR). */
export function blockRoute(routes: string, ip: string, re: RegExp): string | undefined {
  for (const line of routes.split('\n')) {
    const m = re.exec(line.trim());
    if (m && m[1] && ipInCIDR(ip, m[1])) return line.trim();
  }
  return undefined;
}

async function upCluster(ctx: Ctx, mode: LabMode): Promise<LabState> {
  const { opts } = ctx;
  say(ctx, `a 2-node cluster in ${mode.toUpperCase()} mode: controlplane and node01 on the fabric, calico-node (\`tabby node run\`) on each`);
  opts.out(`$ tabby lab up --name ${opts.name} --nodes 2 --mode ${mode}`);
  const { state, warnings } = await labUp({ name: opts.name, nodes: 2, mode, datastore: 'embedded', subnets: 1, podCidr: POD_CIDR }, (l) => opts.out(indent(l)));
  ctx.state = state;
  if (warnings.length > 0) throw new StepFailed('cluster up', 'node agents running and the CNI plugin installed on both nodes', warnings.join('\n'));
  for (const n of state.nodes) check(ctx, `${n.name} ${n.ip} on ${NODE_INTERFACE}, agent PID ${agentPid(state, n)}`);
  return state;
}

async function deploy(ctx: Ctx, state: LabState): Promise<[LabPodState, LabPodState]> {
  say(ctx, 'a busybox deployment with 2 replicas, tolerating the master taint: one pod per node');
  ctx.opts.out('$ kubectl apply -f busybox.yaml   # tabby lab run busybox-deployment --replicas 2');
  const r = await runPods(state, { app: 'busybox-deployment', replicas: 2, namespace: 'default', labels: {}, runtime: ctx.opts.runtime });
  for (const w of r.warnings) ctx.opts.out(`    warning: ${w}`);
  const failed = r.pods.filter((p) => p.status !== 'Running');
  if (failed.length > 0) throw new StepFailed('deployment', 'both pods networked by the CNI plugin', failed.map((p) => `${p.name}: ${p.error}`).join('\n'));
  const cp = r.pods.find((p) => p.node === 'controlplane');
  const n1 = r.pods.find((p) => p.node === 'node01');
  if (!cp || !n1) throw new StepFailed('deployment', 'one pod on controlplane and one on node01', r.pods.map((p) => `${p.name} on ${p.node}`).join('\n'));
  shown(ctx, 'master', 'kubectl get pods -o wide   # tabby lab pods -o wide', formatPods(state, { wide: true }));
  check(ctx, `${cp.name} ${cp.ip} on controlplane, ${n1.name} ${n1.ip} on node01`);
  return [cp, n1];
}

async function showWorkloadEndpoints(ctx: Ctx, state: LabState, pods: LabPodState[]): Promise<Map<string, string>> {
  const cp = state.nodes[0]!;
  say(ctx, 'the pods\' WorkloadEndpoints, as calicoctl lists them');
  const out = await eventually(ctx, 'get workloadendpoints', `a row per pod with its IP/32 and a cali interface`,
    () => onNode(state, cp, ['tabby', 'get', 'workloadendpoints']),
    (o) => pods.every((p) => new RegExp(`${p.name}\\s+${p.node}\\s+${p.ip!.replace(/\./g, '\\.')}/32\\s+cali[0-9a-f]{11}`).test(o)));
  shown(ctx, 'master', 'tabby get workloadendpoints', out);
  const ifaces = new Map<string, string>();
  for (const p of pods) {
    const m = new RegExp(`${p.name}\\s+\\S+\\s+\\S+\\s+(cali[0-9a-f]{11})`).exec(out);
    ifaces.set(p.name, m![1]!);
  }
  check(ctx, pods.map((p) => `${p.name.split('-').pop()} → ${ifaces.get(p.name)}`).join(', '));
  return ifaces;
}

async function bgpStatus(ctx: Ctx, state: LabState): Promise<void> {
  const [cp, n1] = state.nodes;
  say(ctx, 'BGP: node01 is controlplane\'s node-to-node mesh peer, Established');
  const peer = n1!.ip.replace(/\./g, '\\.');
  const out = await eventually(ctx, 'node status', `a row "| ${n1!.ip} | node-to-node mesh | up | … | Established |"`,
    () => onNode(state, cp!, ['tabby', 'node', 'status']),
    (o) => new RegExp(`${peer}\\s*\\|\\s*node-to-node mesh\\s*\\|\\s*up\\s*\\|[^\\n]*Established`).test(o));
  shown(ctx, 'master', 'tabby node status', out);
  check(ctx, 'mesh peer Established');
}

async function podRouteAndArp(ctx: Ctx, state: LabState, pod: LabPodState, remote: LabPodState, cali: string): Promise<void> {
  const cp = state.nodes[0]!;
  say(ctx, 'inside the pod: a default route via 169.254.1.1, an address nobody has');
  const routes = must('pod ip route', 'ip route', () => inPod(pod, ['ip', 'route']));
  shown(ctx, 'master', `kubectl exec ${pod.name} -- ip route`, routes);
  if (!/^default via 169\.254\.1\.1 dev eth0/m.test(routes) || !/^169\.254\.1\.1 dev eth0 scope link/m.test(routes)) {
    throw new StepFailed('pod ip route', '"default via 169.254.1.1 dev eth0" and "169.254.1.1 dev eth0 scope link"', routes);
  }
  check(ctx, 'default via 169.254.1.1 dev eth0; 169.254.1.1 dev eth0 scope link');

  say(ctx, `ping across nodes (${pod.ip} on controlplane → ${remote.ip} on node01), then the pod's ARP table`);
  const before = must('arp', 'arp', () => inPod(pod, ['busybox', 'arp', '-n']));
  shown(ctx, 'master', `kubectl exec ${pod.name} -- arp`, before);
  const ping = await eventually(ctx, 'ping across nodes', `ping ${remote.ip} from ${pod.name} to get a reply`,
    () => inPod(pod, ['ping', '-c', '1', '-W', '2', remote.ip!]), (o) => /1 received/.test(o));
  shown(ctx, 'master', `kubectl exec ${pod.name} -- ping ${remote.ip} -c 1`, ping);
  check(ctx, 'reply received');
  const arp = must('arp', 'arp', () => inPod(pod, ['busybox', 'arp', '-n']));
  shown(ctx, 'master', `kubectl exec ${pod.name} -- arp`, arp);
  if (!/\(169\.254\.1\.1\) at ee:ee:ee:ee:ee:ee/i.test(arp)) {
    throw new StepFailed('arp', '"? (169.254.1.1) at ee:ee:ee:ee:ee:ee [ether] on eth0"', arp);
  }
  check(ctx, '169.254.1.1 at ee:ee:ee:ee:ee:ee: the host side of the veth answered');

  say(ctx, `proxy ARP on the host side of the veth (${cali})`);
  const pa = must('proxy_arp', 'cat proxy_arp', () => execIn(cp.ns, ['cat', `/proc/sys/net/ipv4/conf/${cali}/proxy_arp`]));
  shown(ctx, 'master', `cat /proc/sys/net/ipv4/conf/${cali}/proxy_arp`, pa);
  if (pa.trim() !== '1') throw new StepFailed('proxy_arp', '1', pa);
  const link = must('host veth', 'ip link show', () => execIn(cp.ns, ['ip', 'link', 'show', cali]));
  shown(ctx, 'master', `ip link show ${cali}`, link);
  if (!/link\/ether ee:ee:ee:ee:ee:ee/.test(link)) throw new StepFailed('host veth', `${cali} with MAC ee:ee:ee:ee:ee:ee`, link);
  check(ctx, 'proxy_arp = 1, MAC ee:ee:ee:ee:ee:ee');
}

/** The article's ping told hop by hop by the nodes, each hop proven by a capture of a real probe. */
async function traceVerified(ctx: Ctx, state: LabState, local: LabPodState, remote: LabPodState): Promise<void> {
  say(ctx, 'the same ping, hop by hop from the nodes\' live state, each hop proven by capturing a real probe');
  const command = `tabby lab trace ${local.name} ${remote.name} --verify`;
  let text = '';
  try {
    const r = await labTrace(state, local.name, remote.name, { protocol: 'icmp' }, true);
    text = renderText(r, labPlace(state));
    shown(ctx, 'master', command, text);
    const unseen = r.hops.filter((h) => h.verified !== true);
    if (r.verdict !== 'delivered' || r.contradictions || unseen.length > 0 || !r.hops.some((h) => h.encap?.type === 'ipip')) {
      throw new StepFailed('trace --verify', 'delivered over IPIP with every hop seen by the capture', text);
    }
  } catch (e) {
    if (e instanceof StepFailed) throw e;
    throw new StepFailed('trace --verify', `\`${command}\` to run`, errText(e));
  }
  check(ctx, 'pod route, proxy ARP, tunl0, the IPIP outer header node → node, decapsulation, ingress policy and delivery: all seen');
}

async function nodeRoutes(ctx: Ctx, state: LabState, local: LabPodState, remote: LabPodState, remoteRoute: RegExp, expected: string, title: string): Promise<string> {
  const cp = state.nodes[0]!;
  say(ctx, title);
  let line = '';
  const needBlackhole = state.mode !== 'vxlan'; // the article's VXLAN routes have none
  let out: string;
  try {
    out = await eventually(ctx, 'node routes', expected,
      () => execIn(cp.ns, ['ip', 'route']),
      (o) => {
        const bh = blockRoute(o, local.ip!, /^blackhole (\S+) proto bird/);
        const r = blockRoute(o, remote.ip!, remoteRoute);
        line = r ?? '';
        return !!r && (!needBlackhole || !!bh);
      });
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    // Say which half is missing and what stands in its place.
    const own = blockRoute(e.got, local.ip!, /^blackhole (\S+)/);
    const rem = blockRoute(e.got, remote.ip!, /^(\S+\/\d+) /);
    const found = [
      needBlackhole ? `own block: ${own ? `"${own}"` : 'no blackhole'}` : '',
      `node01's block: ${rem ? `"${rem}"` : 'no route'}`,
    ].filter(Boolean).join('; ');
    throw new StepFailed(e.step, `${expected}; found ${found}`, e.got);
  }
  shown(ctx, 'master', 'ip route', out);
  check(ctx, line);
  return out;
}

async function disableIpip(ctx: Ctx, state: LabState, local: LabPodState, remote: LabPodState): Promise<void> {
  const cp = state.nodes[0]!;
  say(ctx, 'disable IP-IP: set the pool\'s ipipMode to Never and apply it');
  const yaml = must('get ippool', 'tabby get ippool default-ipv4-ippool -o yaml', () => onNode(state, cp, ['tabby', 'get', 'ippool', 'default-ipv4-ippool', '-o', 'yaml']));
  shown(ctx, 'master', 'tabby get ippool default-ipv4-ippool -o yaml > ippool.yaml', '');
  const doc = YAML.parse(yaml) as any;
  if (!doc?.spec) throw new StepFailed('get ippool', 'the IPPool default-ipv4-ippool', yaml);
  doc.spec.ipipMode = 'Never';
  const applied = must('apply ippool', 'tabby apply -f ippool.yaml', () => onNode(state, cp, ['tabby', 'apply', '-f', '-'], YAML.stringify(doc)));
  shown(ctx, 'master', 'tabby apply -f ippool.yaml   # ipipMode: Never', applied);
  check(ctx, 'applied');
  const n1 = state.nodes[1]!;
  await nodeRoutes(ctx, state, local, remote,
    new RegExp(`^(\\S+) via ${n1.ip.replace(/\./g, '\\.')} dev ${NODE_INTERFACE} proto bird$`),
    `the remote block "via ${n1.ip} dev ${NODE_INTERFACE} proto bird" (no tunl0, no onlink)`,
    'the route to node01\'s block now leaves by the fabric interface, unencapsulated');
  say(ctx, 'ping across nodes without encapsulation');
  const ping = await eventually(ctx, 'ping unencapsulated', `a reply from ${remote.ip}`,
    () => inPod(local, ['ping', '-c', '1', '-W', '2', remote.ip!]), (o) => /1 received/.test(o));
  shown(ctx, 'master', `kubectl exec ${local.name} -- ping ${remote.ip} -c 1`, ping);
  check(ctx, 'reply received');
}

export async function runDemo(opts: DemoOptions): Promise<boolean> {
  const ctx: Ctx = { opts, stepNo: 0 };
  const o = opts.out;
  validateLabName(opts.name);
  o(`Life of a Packet in Kubernetes — Calico, on this machine (lab "${opts.name}": nodes and pods are network namespaces)`);
  await labDown(opts.name);
  try {
    // ---- Demo — IPIP and UnEncapMode
    let state = await upCluster(ctx, 'ipip');
    say(ctx, 'no pods yet: no workload endpoints');
    shown(ctx, 'master', 'tabby get workloadendpoints', must('get workloadendpoints', 'tabby get workloadendpoints', () => onNode(state, state.nodes[0]!, ['tabby', 'get', 'workloadendpoints'])));
    await bgpStatus(ctx, state);
    let [local, remote] = await deploy(ctx, state);
    let ifaces = await showWorkloadEndpoints(ctx, state, [local, remote]);
    const n1 = state.nodes[1]!;
    await nodeRoutes(ctx, state, local, remote,
      new RegExp(`^(\\S+) via ${n1.ip.replace(/\./g, '\\.')} dev tunl0 proto bird onlink`),
      `"blackhole <own block> proto bird" and "<node01's block> via ${n1.ip} dev tunl0 proto bird onlink"`,
      'controlplane\'s routes: a blackhole for its own block, node01\'s block through tunl0');
    await podRouteAndArp(ctx, state, local, remote, ifaces.get(local.name)!);
    await traceVerified(ctx, state, local, remote);
    await disableIpip(ctx, state, local, remote);
    o(`\n$ tabby lab down --name ${opts.name}`);
    await labDown(opts.name, (l) => o(indent(l)));

    // ---- Demo — VXLAN
    o('\n-- Demo — VXLAN: re-initiate the cluster with calico_backend "vxlan" (no BGP) and a VXLAN pool');
    state = await upCluster(ctx, 'vxlan');
    [local, remote] = await deploy(ctx, state);
    ifaces = await showWorkloadEndpoints(ctx, state, [local, remote]);
    await nodeRoutes(ctx, state, local, remote,
      /^(\S+) via \S+ dev vxlan\.calico (?:proto \S+ )?onlink/,
      '"<node01\'s block> via <node01\'s VTEP address> dev vxlan.calico onlink"',
      'controlplane\'s routes: node01\'s block via its VTEP on vxlan.calico');
    const vx = must('vxlan.calico', 'ip -d addr show vxlan.calico', () => execIn(state.nodes[0]!.ns, ['ip', '-d', 'addr', 'show', 'vxlan.calico']));
    shown(ctx, 'master', 'ip -d addr show vxlan.calico', vx);
    if (!/vxlan id \d+/.test(vx) || !/dstport 4789/.test(vx)) throw new StepFailed('vxlan.calico', 'a VXLAN device on UDP port 4789', vx);
    check(ctx, 'VXLAN device, UDP 4789');
    await podRouteAndArp(ctx, state, local, remote, ifaces.get(local.name)!);

    say(ctx, 'the internet (the lab\'s external host 8.8.8.8): needs the pool\'s natOutgoing — shown, not required');
    try {
      const ext = inPod(local, ['ping', '-c', '1', '-W', '2', '8.8.8.8']);
      shown(ctx, 'master', `kubectl exec ${local.name} -- ping 8.8.8.8 -c 1`, ext);
      check(ctx, 'reply from 8.8.8.8');
    } catch (e) {
      shown(ctx, 'master', `kubectl exec ${local.name} -- ping 8.8.8.8 -c 1`, errText(e));
      o('  - no reply (the node did not masquerade the pod\'s address: natOutgoing not in effect)');
    }
    if (ctx.stepNo !== DEMO_STEP_COUNT) {
      throw new StepFailed('step count', `${DEMO_STEP_COUNT} steps, as docs/lab.md lists them`, `${ctx.stepNo} steps printed`);
    }
    o('\nThe demo showed everything the article shows.');
    if (opts.keep) o(`The VXLAN lab is still up: tabby lab pods --name ${opts.name} -o wide; tabby lab down --name ${opts.name}`);
    else await labDown(opts.name, (l) => o(indent(l)));
    return true;
  } catch (e) {
    if (e instanceof StepFailed) {
      o(`\n  ✗ FAILED at "${e.step}": expected ${e.expected}`);
      o(`    got:\n${indent(e.got || '(nothing)')}`);
    } else {
      o(`\n  ✗ FAILED: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (ctx.state) {
      for (const n of ctx.state.nodes) {
        let tailLines = '(no log)';
        try { tailLines = fs.readFileSync(n.logFile, 'utf8').trim().split('\n').slice(-6).join('\n') || '(empty)'; } catch { /* none */ }
        o(`    ${n.name} agent log (${n.logFile}), last lines:\n${indent(indent(tailLines))}`);
      }
    }
    if (opts.keep) o(`The lab is left up for inspection: tabby lab down --name ${opts.name}`);
    else await labDown(opts.name, (l) => o(indent(l)));
    return false;
  }
}

