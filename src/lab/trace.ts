// `tabby lab trace`: `tabby trace` run where an admin would run it (on the controlplane node, with the lab's
// datastore and trace token). `--verify` is the real cluster's: the nodes' agents send the probe and capture it.
import { spawnSync } from 'node:child_process';
import type { LabState } from './state.ts';
import { nodeShellEnv, tabbyBin } from './env.ts';
import type { CommandPlace } from '../trace/text.ts';
import type { TraceProtocol, TraceResult } from '../trace/types.ts';
import { TabbyError } from '../errors.ts';

export interface LabTracePacket { protocol: TraceProtocol; port?: number; srcPort?: number; srcAddress?: string; size?: number }

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
export function traceOnControlplane(state: LabState, src: string, dst: string, pkt: LabTracePacket, verify = false): TraceResult {
  const node = state.nodes[0]!;
  const argv = ['netns', 'exec', node.ns, tabbyBin(), 'trace', src, dst, '-o', 'json', '--protocol', pkt.protocol, ...(verify ? ['--verify'] : [])];
  if (pkt.port !== undefined) argv.push('--port', String(pkt.port));
  if (pkt.srcPort !== undefined) argv.push('--src-port', String(pkt.srcPort));
  if (pkt.srcAddress !== undefined) argv.push('--src-address', pkt.srcAddress);
  if (pkt.size !== undefined) argv.push('--size', String(pkt.size));
  const r = spawnSync('ip', argv, { env: { ...process.env, ...nodeShellEnv(state, node) }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 && r.status !== 1) throw new LabTraceError((r.stderr || r.stdout || `tabby trace exited ${r.status}`).trim(), r.status === 2);
  try { return JSON.parse(r.stdout) as TraceResult; } catch {
    throw new LabTraceError((r.stderr || `tabby trace on ${node.name} printed no trace`).trim(), false);
  }
}

/** Trace (and with `verify`, prove through the agents, as on a real cluster) in a lab. */
export async function labTrace(state: LabState, src: string, dst: string, pf: LabTracePacket, verify: boolean): Promise<TraceResult> {
  return traceOnControlplane(state, src, dst, pf, verify);
}
