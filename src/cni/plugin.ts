// The `calico` CNI plugin role: ADD/DEL/CHECK/VERSION/STATUS/GC for one invocation. I/O sits behind small
// interfaces (backend = datastore + IPAM, Dataplane, delegate exec) so this orchestration is testable with
// fakes; the executables wire in the real ones.
//
// ADD: netconf/env → node state → datastore ready? → IPAM (in-process for tabby-/calico-ipam, else exec the
// delegate) → veth + addresses + routes + sysctls → WorkloadEndpoint → result. Any failure after IPAM undoes
// everything done so far (links, endpoint, addresses). DEL is idempotent; ADD again converges.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '../api/resource.ts';
import { isDatastoreError, type Datastore } from '../datastore/types.ts';
import type { OpenBackend, CniBackend } from './backend.ts';
import { DEFAULT_ROUTES, type Dataplane, type FaultHook, type FaultStep } from './dataplane.ts';
import { asCniError, CNI_ERR, CniError } from './errors.ts';
import { ipamAdd, ipamCheck, ipamDel, OWN_IPAM_TYPES, type IpamContext } from './ipam-plugin.ts';
import { namespaceLabels, podIpamRequest } from './ipam-request.ts';
import type { CniLogger } from './log.ts';
import { hostVethName, workloadEndpointName, type WorkloadIdentity } from './names.ts';
import { datastoreSelection, parseEnv, parseNetConf, resolveNodeState, type CniEnv, type NetConf } from './netconf.ts';
import { errorVersion, formatResult, parseResult, requireVerbVersion, versionReply, type CniResult } from './version.ts';
import { ensureNetworkProfile } from './profile.ts';
import { buildWorkloadEndpoint, hostCidr, WEP_KIND, type WorkloadEndpointSpec } from './wep.ts';

export interface PluginDeps {
  openBackend: OpenBackend;
  dataplane: Dataplane;
  log: CniLogger;
  /** Runs another CNI plugin (delegated IPAM) and returns its parsed stdout. */
  execDelegate?: (type: string, env: CniEnv, command: string, stdin: string) => Promise<Record<string, unknown>>;
  fault?: FaultHook;
  /** Process environment (FELIX_INTERFACEPREFIX, DATASTORE_TYPE…). */
  processEnv?: NodeJS.ProcessEnv;
  /**
   * The node agent may already have run this same invocation (the connection to it broke after the request
   * was sent): an existing interface is then this invocation's own work, and ADD converges over it.
   */
  agentMayHaveRun?: boolean;
}

export interface PluginOutput { stdout: string; exitCode: number }

/** Fault injection for tests: TABBY_CNI_FAULT=<step>, honoured only with TABBY_CNI_TEST_FAULTS=1. */
export function faultHookFromEnv(env: NodeJS.ProcessEnv): FaultHook {
  const target = env.TABBY_CNI_TEST_FAULTS === '1' ? env.TABBY_CNI_FAULT : undefined;
  if (!target) return () => {};
  return (step: FaultStep) => { if (step === target) throw new CniError(CNI_ERR.internal, `injected fault at step "${step}"`); };
}

export function identify(env: CniEnv, node: string): WorkloadIdentity {
  const ns = env.args.K8S_POD_NAMESPACE, pod = env.args.K8S_POD_NAME;
  if (ns && pod) return { orchestrator: 'k8s', namespace: ns, workload: pod, node, containerId: env.containerId, endpoint: env.ifname };
  return { orchestrator: 'cni', namespace: 'default', workload: env.containerId, node, containerId: env.containerId, endpoint: env.ifname };
}

/** Runs one invocation: environment + stdin in, stdout + exit code out (the CNI contract). */
export async function runPlugin(processEnv: NodeJS.ProcessEnv, stdin: string, deps: PluginDeps): Promise<PluginOutput> {
  let cniVersion: string | undefined;
  try {
    const env = parseEnv(processEnv);
    if (env.command === 'VERSION') return { stdout: JSON.stringify(versionReply(stdin)), exitCode: 0 };
    const conf = parseNetConf(stdin, { needIpam: env.command === 'ADD' || env.command === 'DEL' || env.command === 'CHECK' });
    cniVersion = conf.cniVersion;
    requireVerbVersion(env.command, conf.cniVersion);
    deps.log.bind({ containerID: env.containerId || undefined, command: env.command });
    const ctx = new Invocation(env, conf, { ...deps, processEnv: deps.processEnv ?? processEnv });
    const out = await ctx.run();
    return { stdout: out === undefined ? '' : JSON.stringify(out), exitCode: 0 };
  } catch (e) {
    const err = asCniError(e);
    deps.log.error(err.message, { code: err.code, details: err.details });
    return { stdout: JSON.stringify(err.toJSON(errorVersion(stdin, cniVersion))), exitCode: 1 };
  }
}

class Invocation {
  private backend?: CniBackend;
  private readonly fault: FaultHook;

  constructor(private readonly env: CniEnv, private readonly conf: NetConf, private readonly deps: PluginDeps & { processEnv: NodeJS.ProcessEnv }) {
    this.fault = deps.fault ?? (() => {});
  }

  async run(): Promise<Record<string, unknown> | undefined> {
    try {
      switch (this.env.command) {
        case 'ADD': return await this.add();
        case 'DEL': await this.del(); return undefined;
        case 'CHECK': await this.check(); return undefined;
        case 'STATUS': await this.status(); return undefined;
        case 'GC': await this.gc(); return undefined;
        default: throw new CniError(CNI_ERR.invalidEnv, `unsupported CNI_COMMAND ${this.env.command}`);
      }
    } finally {
      await this.backend?.close().catch(() => {});
    }
  }

  private async openBackend(): Promise<CniBackend> {
    if (this.backend) return this.backend;
    try {
      this.backend = await this.deps.openBackend(datastoreSelection(this.conf, this.deps.processEnv));
      return this.backend;
    } catch (e) {
      if (isDatastoreError(e, 'Invalid')) throw new CniError(CNI_ERR.invalidNetworkConfig, (e as Error).message);
      throw new CniError(CNI_ERR.tryAgainLater, `datastore unavailable, try again later: ${(e as Error).message}`);
    }
  }

  /** Calico refuses to work while ClusterInformation says the datastore is not ready; unreachable → try again later. */
  private async ensureReady(ds: Datastore): Promise<void> {
    let ci: Resource | undefined;
    try { ci = await ds.get('ClusterInformation', 'default'); } catch (e) {
      if (isDatastoreError(e, 'Unavailable')) throw new CniError(CNI_ERR.tryAgainLater, `datastore unavailable, try again later: ${(e as Error).message}`);
      throw e;
    }
    if ((ci?.spec as { datastoreReady?: boolean } | undefined)?.datastoreReady === false) {
      throw new CniError(CNI_ERR.tryAgainLater, 'Calico is currently not ready to process requests');
    }
  }

  private ipamContext(be: CniBackend, node: string, id: WorkloadIdentity): IpamContext {
    return { conf: this.conf, env: this.env, node, id, ipam: be.ipam };
  }

  private ownIpam(): boolean { return OWN_IPAM_TYPES.has(this.conf.ipam.type); }

  private async delegate(command: 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC'): Promise<Record<string, unknown>> {
    if (!this.deps.execDelegate) throw new CniError(CNI_ERR.invalidNetworkConfig, `IPAM type "${this.conf.ipam.type}" needs delegation, which is unavailable here`);
    return this.deps.execDelegate(this.conf.ipam.type, this.env, command, JSON.stringify(this.conf));
  }

  // ---- ADD -------------------------------------------------------------------------------------------
  private async add(): Promise<Record<string, unknown>> {
    const node = resolveNodeState(this.conf);
    const id = identify(this.env, node.nodename);
    const hostVeth = hostVethName(id, this.deps.processEnv.FELIX_INTERFACEPREFIX);
    const log = this.deps.log;
    log.bind({ pod: id.orchestrator === 'k8s' ? `${id.namespace}/${id.workload}` : undefined, hostVeth });
    const t0 = performance.now();
    const lap = (phase: string) => log.debug('ADD phase done', { phase, ms: Math.round((performance.now() - t0) * 10) / 10 });
    const be = await this.openBackend();
    lap('open datastore');
    await this.ensureReady(be.ds);
    if (!this.deps.agentMayHaveRun) await this.refuseExistingInterface();
    const ipamCtx = this.ipamContext(be, node.nodename, id);
    const request = podIpamRequest(this.env, this.conf);

    let ipamResult: CniResult;
    if (request.kind === 'noIpam') {
      // ipAddrsNoIpam: the annotation's address, IPAM bypassed (nothing allocated, nothing to release).
      ipamResult = { ips: request.ips.map((ip) => ({ address: `${ip}/32` })), dns: {} };
    } else if (this.ownIpam()) {
      ipamResult = await ipamAdd({ ...ipamCtx, request, namespaceLabels: await namespaceLabels(be.ds, id) });
    } else ipamResult = parseResult(await this.delegate('ADD'));
    const ips = ipamResult.ips.map((i) => hostCidr(i.address));
    lap('ipam');
    log.info('assigned addresses', { ips });

    let touchedDataplane = false;
    let wepName: string | undefined;
    try {
      this.fault('ipam');
      // setup() undoes its own partial work; once it has succeeded, undoing it is ours.
      const dp = await this.deps.dataplane.setup({
        netns: this.env.netns, ifname: this.env.ifname, hostVeth, mtu: node.mtu, ips,
        allowIpForwarding: !!this.conf.container_settings?.allow_ip_forwarding,
        numQueues: this.conf.num_queues,
      }, this.fault);
      touchedDataplane = true;
      lap('dataplane');
      log.debug('dataplane steps', { ms: dp.timings });
      const tabbyArgs = this.conf.args?.tabby ?? {};
      const wep = buildWorkloadEndpoint({
        id, networkName: this.conf.name, policyType: this.conf.policy?.type,
        podLabels: tabbyArgs.labels, serviceAccount: tabbyArgs.serviceAccount ?? this.env.args.K8S_POD_SERVICE_ACCOUNT, ports: tabbyArgs.ports,
        ips, hostVeth, containerMac: dp.containerMac,
      });
      wepName = wep.metadata.name;
      await writeWorkloadEndpoint(be.ds, wep);
      lap('endpoint');
      // When the endpoint's profile is the network's (no policy handler, or a workload without Kubernetes
      // args), that Profile must exist or the default deny drops everything (see profile.ts).
      if (wep.spec?.profiles.includes(this.conf.name) && await ensureNetworkProfile(be.ds, this.conf.name, id.orchestrator)) {
        log.info('created the network profile', { profile: this.conf.name });
      }
      this.fault('wep');
      const result: CniResult = {
        interfaces: [{ name: hostVeth }, { name: this.env.ifname, mac: dp.containerMac, mtu: node.mtu, sandbox: this.env.netns }],
        ips: ips.map((address) => ({ address, interface: 1 })),
        // What exists in the container (Calico's own result lists none: calico-ipam returns no routes).
        routes: DEFAULT_ROUTES,
        dns: ipamResult.dns ?? {},
      };
      this.fault('result');
      log.info('ADD done', { ips, wep: wepName });
      return formatResult(result, this.conf.cniVersion);
    } catch (e) {
      log.warn('ADD failed, undoing', { error: (e as Error).message });
      await this.undoAdd(be, ipamCtx, touchedDataplane, hostVeth, wepName, id.namespace);
      throw e;
    }
  }

  /**
   * The spec: if CNI_IFNAME already exists in the container, ADD MUST fail. Checked before IPAM, so the
   * refusal touches nothing: a runtime that repeats ADD for an attachment that exists (a retry after a
   * timeout) gets an error, and the attachment, its address and its endpoint stay until the runtime's DEL.
   */
  private async refuseExistingInterface(): Promise<void> {
    if (await this.deps.dataplane.interfaceExists(this.env.netns, this.env.ifname)) {
      throw new CniError(CNI_ERR.interfaceExists, `interface "${this.env.ifname}" already exists in ${this.env.netns}`,
        'ADD was called again for an attachment without DEL; run DEL first (the existing attachment was left untouched)');
    }
  }

  private async undoAdd(be: CniBackend, ipamCtx: IpamContext, dataplane: boolean, hostVeth: string, wepName: string | undefined, ns: string): Promise<void> {
    const steps: Array<[string, () => Promise<unknown>]> = [];
    if (dataplane) {
      steps.push(['remove container interface', () => this.deps.dataplane.teardown(this.env.netns, this.env.ifname)]);
      steps.push(['remove host veth', () => this.deps.dataplane.removeHostVeth(hostVeth)]);
    }
    if (wepName) steps.push(['delete endpoint', () => deleteWorkloadEndpoint(be.ds, wepName, ns, this.env.containerId)]);
    steps.push(['release addresses', () => (this.ownIpam() ? ipamDel(ipamCtx) : this.delegate('DEL'))]);
    for (const [what, fn] of steps) {
      try { await fn(); } catch (e) { this.deps.log.error(`cleanup after failed ADD: ${what} failed`, { error: (e as Error).message }); }
    }
  }

  // ---- DEL -------------------------------------------------------------------------------------------
  private async del(): Promise<void> {
    const node = resolveNodeState(this.conf);
    const id = identify(this.env, node.nodename);
    const be = await this.openBackend();
    await this.ensureReady(be.ds);
    // Endpoint first (stop policy/routing for it), then the interface, then the addresses (Calico's order).
    await deleteWorkloadEndpoint(be.ds, workloadEndpointName(id), id.namespace, this.env.containerId);
    await this.deps.dataplane.teardown(this.env.netns || undefined, this.env.ifname);
    if (this.ownIpam()) await ipamDel(this.ipamContext(be, node.nodename, id));
    else await this.delegate('DEL');
    this.deps.log.info('DEL done');
  }

  // ---- CHECK -----------------------------------------------------------------------------------------
  private async check(): Promise<void> {
    if (!this.conf.prevResult) throw new CniError(CNI_ERR.invalidNetworkConfig, 'CHECK needs "prevResult" in the network configuration');
    const prev = parseResult(this.conf.prevResult);
    const node = resolveNodeState(this.conf);
    const id = identify(this.env, node.nodename);
    const hostVeth = hostVethName(id, this.deps.processEnv.FELIX_INTERFACEPREFIX);
    const ips = prev.ips.map((i) => hostCidr(i.address));
    const diffs = await this.deps.dataplane.check({ netns: this.env.netns, ifname: this.env.ifname, hostVeth, mtu: node.mtu, ips, routes: prev.routes });
    const be = await this.openBackend();
    await this.ensureReady(be.ds);
    const wep = await be.ds.get(WEP_KIND, workloadEndpointName(id), id.namespace) as Resource<WorkloadEndpointSpec> | undefined;
    if (!wep) diffs.push(`WorkloadEndpoint ${id.namespace}/${workloadEndpointName(id)} is missing`);
    else {
      if (wep.spec?.containerID !== this.env.containerId) diffs.push(`WorkloadEndpoint belongs to container ${wep.spec?.containerID}, not ${this.env.containerId}`);
      const have = [...(wep.spec?.ipNetworks ?? [])].sort().join(',');
      if (have !== [...ips].sort().join(',')) diffs.push(`WorkloadEndpoint ipNetworks are [${have}], expected [${ips.join(',')}]`);
      if (wep.spec?.interfaceName !== hostVeth) diffs.push(`WorkloadEndpoint interfaceName is ${wep.spec?.interfaceName}, expected ${hostVeth}`);
    }
    // An ipAddrsNoIpam address was never allocated: there is no IPAM state to compare.
    const bypassed = podIpamRequest(this.env, this.conf).kind === 'noIpam';
    if (this.ownIpam() && !bypassed) diffs.push(...await ipamCheck(this.ipamContext(be, node.nodename, id), ips));
    else await this.delegate('CHECK');
    if (diffs.length) throw new CniError(CNI_ERR.checkFailed, `CHECK failed: ${diffs.join('; ')}`);
  }

  // ---- STATUS / GC (spec 1.1.0, src/cni/gc-status.ts) -----------------------------------------------------
  private async status(): Promise<void> {
    let be: CniBackend;
    let node: string;
    try {
      node = resolveNodeState(this.conf).nodename;
      be = await this.openBackend();
      await be.ds.revision();
      await this.ensureReady(be.ds);
    } catch (e) {
      throw new CniError(CNI_ERR.pluginNotAvailable, `cannot service ADD: ${(e as Error).message}`);
    }
    // Spec 1.1.0: a plugin that relies on a delegated IPAM plugin must ask it too and pass on its error.
    if (!this.ownIpam()) { await this.delegate('STATUS'); return; }
    const { ipamNotAvailable } = await import('./gc-status.ts'); // not loaded for ADD/DEL/CHECK
    const exhausted = await ipamNotAvailable(be.ds, node).catch((e: Error) => new CniError(CNI_ERR.pluginNotAvailable, `cannot service ADD: ${e.message}`));
    if (exhausted) throw exhausted;
  }

  /** Removes what this network has on this node for attachments the runtime no longer lists. */
  private async gc(): Promise<void> {
    const { collectGarbage, VALID_ATTACHMENTS, validAttachments } = await import('./gc-status.ts'); // not loaded for ADD/DEL/CHECK
    const valid = validAttachments(this.conf[VALID_ATTACHMENTS]);
    // Spec 1.1.0: GC MUST be forwarded to delegated plugins (they collect their own reservations), and their
    // error returned; our own clean-up still runs.
    let delegateError: CniError | undefined;
    if (!this.ownIpam()) await this.delegate('GC').catch((e: unknown) => { delegateError = asCniError(e); });
    const node = resolveNodeState(this.conf).nodename;
    const be = await this.openBackend();
    await this.ensureReady(be.ds);
    const r = await collectGarbage({
      ds: be.ds, ipam: this.ownIpam() ? be.ipam : undefined, network: this.conf.name, node, valid,
      removeHostVeth: (name) => this.deps.dataplane.removeHostVeth(name), log: this.deps.log,
    }, (name, ns, containerId) => deleteWorkloadEndpoint(be.ds, name, ns, containerId));
    this.deps.log.info('GC done', { handles: r.handles, addresses: r.addresses, endpoints: r.endpoints, veths: r.veths, errors: r.errors.length });
    if (r.errors.length) {
      const all = [...(delegateError ? [`IPAM plugin ${this.conf.ipam.type}: ${delegateError.message}`] : []), ...r.errors];
      throw new CniError(CNI_ERR.internal, `GC could not remove everything (${all.length} failed; the rest was removed)`, all.join('; '));
    }
    if (delegateError) throw delegateError;
  }
}

/** Create, or update in place (same name = same pod; a new sandbox takes the endpoint over). */
export async function writeWorkloadEndpoint(ds: Datastore, wep: Resource<WorkloadEndpointSpec>): Promise<Resource> {
  for (let attempt = 0; ; attempt++) {
    const cur = await ds.get(WEP_KIND, wep.metadata.name, wep.metadata.namespace);
    try {
      if (!cur) return await ds.create(wep);
      const metadata = { ...cur.metadata };
      if (wep.metadata.labels) metadata.labels = wep.metadata.labels;
      else delete metadata.labels;
      return await ds.update({ ...wep, metadata });
    } catch (e) {
      if (attempt < 10 && (isDatastoreError(e, 'AlreadyExists') || isDatastoreError(e, 'Conflict') || isDatastoreError(e, 'NotFound'))) continue;
      throw e;
    }
  }
}

/** Deletes the endpoint unless it belongs to another (newer) container; absent is success. */
export async function deleteWorkloadEndpoint(ds: Datastore, name: string, namespace: string, containerId: string): Promise<void> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const cur = await ds.get(WEP_KIND, name, namespace) as Resource<WorkloadEndpointSpec> | undefined;
    if (!cur) return;
    if (cur.spec?.containerID && cur.spec.containerID !== containerId) return; // an old sandbox's DEL
    try {
      await ds.delete(WEP_KIND, name, namespace, cur.metadata.resourceVersion);
      return;
    } catch (e) {
      if (isDatastoreError(e, 'NotFound')) return;
      if (!isDatastoreError(e, 'Conflict')) throw e;
    }
  }
  throw new CniError(CNI_ERR.tryAgainLater, `WorkloadEndpoint ${namespace}/${name} kept changing while deleting it`);
}

/** Execs a delegate plugin from CNI_PATH with the same environment, as libcni's invoke.DelegateAdd does. */
export function execDelegate(processEnv: NodeJS.ProcessEnv) {
  return async (type: string, env: CniEnv, command: string, stdin: string): Promise<Record<string, unknown>> => {
    if (!/^[A-Za-z0-9_.\-]+$/.test(type)) throw new CniError(CNI_ERR.invalidNetworkConfig, `invalid plugin type "${type}"`);
    const dir = env.path.find((d) => existsSync(join(d, type)));
    if (!dir) throw new CniError(CNI_ERR.invalidEnv, `failed to find plugin "${type}" in path [${env.path.join(' ')}]`);
    return new Promise((resolve, reject) => {
      const child = spawn(join(dir, type), [], { env: { ...processEnv, CNI_COMMAND: command }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.on('error', (e) => reject(new CniError(CNI_ERR.internal, `failed to run ${type}: ${e.message}`)));
      child.on('close', (code) => {
        let parsed: Record<string, unknown> = {};
        try { parsed = out.trim() ? JSON.parse(out) : {}; } catch { /* not JSON */ }
        if (code === 0) return resolve(parsed);
        if (typeof parsed.code === 'number') return reject(new CniError(parsed.code, `${type}: ${parsed.msg}`, parsed.details as string | undefined));
        reject(new CniError(CNI_ERR.internal, `${type} exited with ${code}: ${err.trim() || out.trim()}`));
      });
      child.stdin.end(stdin);
    });
  };
}
