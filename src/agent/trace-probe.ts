// The agent's half of `tabby trace --verify`: POST /trace/capture runs tcpdump on one of this node's interfaces
// (or a local pod's eth0) for a bounded time with the probe's own filter, and returns what it saw; POST
// /trace/probe sends the probe from a local pod's namespace or from the node. The filters and the probe are
// built here from a ProbeSpec (src/trace/probe.ts), never taken as text; only endpoints on this node are used.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TabbyError } from '../errors.ts';
import { isIPv4 } from '../net/ip.ts';
import { probeArgv, probeFilter, probeSpecProblem, type CaptureForm, type ProbeSpec } from '../trace/probe.ts';
import type { TraceSources } from './trace-gather.ts';

export const CAPTURE_MIN_MS = 500;
export const CAPTURE_MAX_MS = 15_000;
const MAX_LINES = 40;
const MAX_LINE = 400;
const PROBE_TIMEOUT_MS = 8000;
const FORMS: CaptureForm[] = ['inner', 'ipip', 'vxlan', 'natted', 'any'];
const IFACE = /^[A-Za-z0-9_.-]{1,15}$/;

/** A request the endpoint will not run; `status` is the HTTP answer (400 bad, 404 not on this node). */
export class ProbeRequestError extends TabbyError {
  constructor(message: string, readonly status = 400) { super('BadTraceRequest', message); }
}

export interface CaptureRequest { probe: ProbeSpec; pod?: string; iface: string; form: CaptureForm; natSrc?: string; outbound?: boolean; durationMs: number }
export interface ProbeRequest { probe: ProbeSpec; pod?: string }

function podField(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[a-z0-9][a-z0-9.-]{0,252}\/[a-z0-9][a-z0-9.-]{0,252}$/.test(v)) throw new ProbeRequestError('pod must be "NAMESPACE/NAME"');
  return v;
}

function specField(v: unknown): ProbeSpec {
  const problem = probeSpecProblem(v as Partial<ProbeSpec>);
  if (problem) throw new ProbeRequestError(problem);
  const s = v as ProbeSpec;
  return {
    protocol: s.protocol, dst: s.dst, port: s.port, srcPort: s.srcPort, length: s.length,
    ...(s.fromAddress ? { fromAddress: s.fromAddress } : {}), ...(s.dontFragment === true ? { dontFragment: true } : {}),
  };
}

export function parseCaptureRequest(body: unknown): CaptureRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const probe = specField(b.probe);
  const pod = podField(b.pod);
  if (typeof b.iface !== 'string' || !(IFACE.test(b.iface))) throw new ProbeRequestError('iface must be an interface name');
  if (pod && b.iface !== 'eth0') throw new ProbeRequestError('in a pod, only its eth0 is captured');
  if (!FORMS.includes(b.form as CaptureForm)) throw new ProbeRequestError(`form must be one of ${FORMS.join(', ')}`);
  if (b.form === 'natted' && (typeof b.natSrc !== 'string' || !isIPv4(b.natSrc))) throw new ProbeRequestError('natSrc (an IPv4 address) is needed for the natted form');
  const d = b.durationMs ?? 6000;
  if (!Number.isInteger(d) || (d as number) < CAPTURE_MIN_MS || (d as number) > CAPTURE_MAX_MS) throw new ProbeRequestError(`durationMs must be ${CAPTURE_MIN_MS}-${CAPTURE_MAX_MS}`);
  return { probe, ...(pod ? { pod } : {}), iface: b.iface, form: b.form as CaptureForm, ...(b.form === 'natted' ? { natSrc: b.natSrc as string } : {}), outbound: b.outbound === true, durationMs: d as number };
}

export function parseProbeRequest(body: unknown): ProbeRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const probe = specField(b.probe);
  const pod = podField(b.pod);
  if (probe.fromAddress && !pod) throw new ProbeRequestError('a probe from another address is sent from a pod');
  return { probe, ...(pod ? { pod } : {}) };
}

function run(argv: string[], timeoutMs = 5000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout!.on('data', (d) => { if (out.length < 64 * 1024) out += d; });
    c.stderr!.on('data', (d) => { if (out.length < 64 * 1024) out += d; });
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('error', (e) => { clearTimeout(t); resolve({ code: -1, out: e.message }); });
    c.on('exit', (code) => { clearTimeout(t); resolve({ code, out: out.trim() }); });
  });
}

/**
 * The named network namespace of a pod on this node: its endpoint's host-side veth (`cali…`) has the pod's
 * namespace as its link-netns; iproute2 names it when it is under /run/netns (as CNI runtimes keep them).
 */
export async function podNetns(sources: TraceSources, pod: string): Promise<string> {
  const [ns, name] = pod.split('/');
  const wep = [...sources.items('WorkloadEndpoint')].find((w) => {
    const s = (w.spec ?? {}) as Record<string, unknown>;
    return w.metadata.namespace === ns && String(s.pod ?? s.workload ?? '') === name && s.node === sources.nodeName;
  });
  const iface = (wep?.spec as Record<string, unknown> | undefined)?.interfaceName;
  if (typeof iface !== 'string' || !IFACE.test(iface)) throw new ProbeRequestError(`pod ${pod} has no endpoint on node ${sources.nodeName}`, 404);
  const link = await run(['ip', '-j', '-d', 'link', 'show', 'dev', iface], 15_000);
  const nsid = link.code === 0 ? (JSON.parse(link.out) as { link_netnsid?: number }[])[0]?.link_netnsid : undefined;
  if (nsid === undefined) throw new ProbeRequestError(`pod ${pod}: its veth ${iface} is not on node ${sources.nodeName} or has no peer namespace`, 404);
  const ids = await run(['ip', '-j', 'netns', 'list-id'], 15_000);
  const named = ids.code === 0 ? (JSON.parse(ids.out || '[]') as { nsid: number; name?: string }[]).find((x) => x.nsid === nsid)?.name : undefined;
  if (!named) throw new ProbeRequestError(`pod ${pod}: the namespace of ${iface}'s peer (nsid ${nsid}) has no name under /run/netns`, 404);
  return named;
}

const inNetns = (netns: string | undefined, argv: string[]) => (netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv);

/** Runs the capture; `listening` is called once tcpdump listens (or gave up), before the time runs. */
export async function runCapture(sources: TraceSources, req: CaptureRequest, listening: () => void): Promise<{ lines: string[]; error?: string; routeGet?: string; neighbour?: string }> {
  const netns = req.pod ? await podNetns(sources, req.pod) : undefined;
  if (!netns && req.iface !== 'any' && !existsSync(`/sys/class/net/${req.iface}`)) throw new ProbeRequestError(`no interface ${req.iface} on node ${sources.nodeName}`, 404);
  const filter = probeFilter(req.probe, req.form, req.natSrc);
  const argv = inNetns(netns, ['tcpdump', '-l', '-n', '-U', '-i', req.iface, ...(req.outbound ? ['-Q', 'out'] : []), filter]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '', told = false;
  const tell = () => { if (!told) { told = true; listening(); } };
  const giveUp = setTimeout(tell, 5000);
  // In a pod: its neighbour entry for the gateway, read as soon as the probe is seen on eth0. Read only after
  // the capture ends, a busy machine-wide neighbour table may have dropped it (a flake of the trace tests).
  const readNeighbour = () => run(inNetns(netns, ['ip', 'neigh', 'show', '169.254.1.1']), 15_000).then((r) => r.out, () => '');
  let early: Promise<string> | undefined;
  child.stdout!.on('data', (d) => {
    if (out.length < MAX_LINES * MAX_LINE) out += d;
    if (netns && !early) early = readNeighbour();
  });
  child.stderr!.on('data', (d) => { if (err.length < 4096) err += d; if (/listening on/.test(err)) tell(); });
  const exited = new Promise<void>((resolve) => { child.on('exit', () => resolve()); child.on('error', (e) => { err += e.message; resolve(); }); });
  const stopAt = setTimeout(() => child.kill('SIGINT'), req.durationMs);
  const hardStop = setTimeout(() => child.kill('SIGKILL'), req.durationMs + 3000);
  await exited;
  for (const t of [giveUp, stopAt, hardStop]) clearTimeout(t);
  tell();
  const lines = out.split('\n').filter((l) => l.trim()).slice(0, MAX_LINES).map((l) => l.slice(0, MAX_LINE));
  const error = /listening on/.test(err) ? undefined : (err.trim().split('\n').pop() || 'tcpdump did not start');
  // A loaded node can take seconds to enter a namespace: these reads get more time than the default.
  const seenEarly = early ? await early : '';
  const after = netns
    ? { neighbour: /lladdr/.test(seenEarly) ? seenEarly : await readNeighbour() }
    : { routeGet: (await run(['ip', 'route', 'get', req.probe.dst], 15_000)).out.split('\n')[0] ?? '' };
  return { lines, ...(error ? { error } : {}), ...after };
}

/** Sends the probe from the pod's namespace or the node's; bounded in time. */
export async function runProbe(sources: TraceSources, req: ProbeRequest): Promise<{ sent: boolean; from: string; exitCode: number | null }> {
  const netns = req.pod ? await podNetns(sources, req.pod) : undefined;
  const r = await run(inNetns(netns, probeArgv(req.probe, process.execPath)), PROBE_TIMEOUT_MS);
  return { sent: r.code !== -1, from: req.pod ? `pod ${req.pod}` : `node ${sources.nodeName}`, exitCode: r.code };
}
