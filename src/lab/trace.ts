// `tabby lab trace`: `tabby trace` run where an admin would run it (on the controlplane node, with the lab's
// datastore and trace token), and with `verify` the probe and captures in the lab's namespaces.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { LabState } from './state.ts';
import { nodeShellEnv, tabbyBin } from './env.ts';
import { labNamespaceOf, verifyTrace } from './trace-verify.ts';
import type { CommandPlace } from '../trace/text.ts';
import type { TracePacket, TraceProtocol, TraceResult } from '../trace/types.ts';
import { TabbyError } from '../errors.ts';

export interface LabTracePacket { protocol: TraceProtocol; port?: number; srcPort?: number; srcAddress?: string }

/** The trace failed to run (not a dropped verdict): `usage` when tabby trace refused the input. */
export class LabTraceError extends TabbyError {
  constructor(message: string, readonly usage: boolean) { super('LabTraceFailed', message); }
}

/** `tabby lab exec POD -- …` for pod hops, `tabby lab exec-node NODE -- …` for the rest. */
export function labPlace(state: LabState): CommandPlace {
  const lab = state.name === 'tabby' ? '' : ` --name ${state.name}`;
  return (hop, command) => {
    if (hop.namespace && hop.interface === 'eth0') return `tabby lab exec${lab} ${hop.namespace.split('/')[1]} -- ${command}`;
    return `tabby lab exec-node${lab} ${hop.node} -- ${command}`;
  };
}

/** Runs `tabby trace … -o json` on the controlplane node; a dropped verdict (exit 1) still has its JSON. */
export function traceOnControlplane(state: LabState, src: string, dst: string, pkt: LabTracePacket): TraceResult {
  const node = state.nodes[0]!;
  const argv = ['netns', 'exec', node.ns, tabbyBin(), 'trace', src, dst, '-o', 'json', '--protocol', pkt.protocol];
  if (pkt.port !== undefined) argv.push('--port', String(pkt.port));
  if (pkt.srcPort !== undefined) argv.push('--src-port', String(pkt.srcPort));
  if (pkt.srcAddress !== undefined) argv.push('--src-address', pkt.srcAddress);
  const r = spawnSync('ip', argv, { env: { ...process.env, ...nodeShellEnv(state, node) }, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && r.status !== 1) throw new LabTraceError((r.stderr || r.stdout || `tabby trace exited ${r.status}`).trim(), r.status === 2);
  try { return JSON.parse(r.stdout) as TraceResult; } catch {
    throw new LabTraceError((r.stderr || `tabby trace on ${node.name} printed no trace`).trim(), false);
  }
}

/** Trace (and with `verify`, prove) in a lab. */
export async function labTrace(state: LabState, src: string, dst: string, pf: LabTracePacket, verify: boolean): Promise<TraceResult> {
  // The probe's source port is chosen first, so that the prediction is about the very packet sent.
  const asked = verify && pf.protocol !== 'icmp' && pf.srcPort === undefined ? { ...pf, srcPort: randomInt(40000, 60000) } : pf;
  const result = traceOnControlplane(state, src, dst, asked);
  if (!verify) return result;
  const pkt = result.packet as TracePacket | undefined;
  const first = result.hops[0];
  if (!pkt || !first) throw new LabTraceError('the trace has no packet or hops to verify', false);
  const srcNetns = labNamespaceOf(state)(first);
  if (!srcNetns) throw new LabTraceError(`cannot find the namespace of ${first.namespace ?? first.node} in lab ${state.name}`, false);
  const own = state.pods.find((p) => p.netns === srcNetns)?.ip ?? state.nodes.find((n) => n.ns === srcNetns)?.ip;
  return verifyTrace(state, result, pkt, srcNetns, own !== undefined && own !== pkt.src);
}
