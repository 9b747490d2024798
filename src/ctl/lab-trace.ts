// `tabby lab trace SRC DST [--verify]`: `tabby trace` run where an admin would run it (on the controlplane
// node, with the lab's datastore and trace token), then, with --verify, the probe and the captures in the
// lab's namespaces (src/lab/trace-verify.ts).
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';
import { addTraceOptions, packetFlags, type TraceFlags } from './trace.ts';
import { mustState } from '../lab/lab.ts';
import type { LabState } from '../lab/state.ts';
import { nodeShellEnv, tabbyBin } from '../lab/env.ts';
import { labNamespaceOf, verifyTrace } from '../lab/trace-verify.ts';
import { renderJson, renderText, type CommandPlace } from '../trace/text.ts';
import type { TracePacket, TraceResult } from '../trace/types.ts';

/** `tabby lab exec POD -- …` for pod hops, `tabby lab exec-node NODE -- …` for the rest. */
function labPlace(state: LabState): CommandPlace {
  const lab = state.name === 'tabby' ? '' : ` --name ${state.name}`;
  return (hop, command) => {
    if (hop.namespace && hop.interface === 'eth0') {
      const pod = hop.namespace.split('/')[1];
      return `tabby lab exec${lab} ${pod} -- ${command}`;
    }
    return `tabby lab exec-node${lab} ${hop.node} -- ${command}`;
  };
}

/** Runs `tabby trace … -o json` on the controlplane node; a dropped verdict (exit 1) still has its JSON. */
export function traceOnControlplane(state: LabState, src: string, dst: string, pkt: { protocol: string; port?: number; srcPort?: number }): TraceResult {
  const node = state.nodes[0]!;
  const argv = ['netns', 'exec', node.ns, tabbyBin(), 'trace', src, dst, '-o', 'json', '--protocol', pkt.protocol];
  if (pkt.port !== undefined) argv.push('--port', String(pkt.port));
  if (pkt.srcPort !== undefined) argv.push('--src-port', String(pkt.srcPort));
  const r = spawnSync('ip', argv, { env: { ...process.env, ...nodeShellEnv(state, node) }, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && r.status !== 1) throw new CliError((r.stderr || r.stdout || `tabby trace exited ${r.status}`).trim(), r.status === 2 ? EXIT_USAGE : EXIT_FAILED);
  try { return JSON.parse(r.stdout) as TraceResult; } catch {
    throw new CliError((r.stderr || `tabby trace on ${node.name} printed no trace`).trim(), EXIT_FAILED);
  }
}

/** Trace (and with `verify`, prove) in a lab; the result carries the packet it was about. */
export async function labTrace(state: LabState, src: string, dst: string, f: Pick<TraceFlags, 'protocol' | 'port' | 'srcPort' | 'verify'>): Promise<TraceResult> {
  const pf = packetFlags(f);
  // The probe's source port is chosen first, so that the prediction is about the very packet sent.
  if (f.verify && pf.protocol !== 'icmp' && pf.srcPort === undefined) pf.srcPort = randomInt(40000, 60000);
  const result = traceOnControlplane(state, src, dst, pf);
  if (!f.verify) return result;
  const pkt = result.packet as TracePacket | undefined;
  const first = result.hops[0];
  if (!pkt || !first) throw new CliError('the trace has no packet or hops to verify', EXIT_FAILED);
  const srcNetns = labNamespaceOf(state)(first);
  if (!srcNetns) throw new CliError(`cannot find the namespace of ${first.namespace ?? first.node} in lab ${state.name}`, EXIT_FAILED);
  return verifyTrace(state, result, pkt, srcNetns);
}

export function registerLabTraceCommand(lab: Command, nameOpt: (c: Command) => Command, labName: (o: { name?: string }) => string): void {
  nameOpt(addTraceOptions(lab.command('trace <src> <dst>').description('tabby trace in the lab; --verify proves each hop with a real probe and tcpdump')))
    .action(async (src: string, dst: string, f: TraceFlags & { name?: string }) => {
      if (f.output !== 'text' && f.output !== 'json') throw new CliError(`-o must be text or json, got "${f.output}"`, EXIT_USAGE);
      const state = mustState(labName(f));
      const r = await labTrace(state, src, dst, f);
      process.stdout.write(f.output === 'json' ? renderJson(r) : renderText(r, labPlace(state)));
      if (r.verdict === 'dropped' || (r.contradictions?.length ?? 0) > 0) process.exitCode = EXIT_FAILED;
    });
}
