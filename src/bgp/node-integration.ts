// The seam between the node agent (`tabby node run`) and the BGP speaker.
//
//   const bgp = await startBgp({ ds, nodeName, log, onRoutes });
//   health.mount('/bgp/status', bgpStatusHandler(() => bgp.status()));   // read by `tabby node status`
//   ...
//   await bgp.stop();          // graceful: peers keep our routes for our restart time (RFC 4724)
//
// startBgp watches Node, BGPConfiguration, BGPPeer, BGPFilter, IPPool, IPAMBlock and BlockAffinity, derives the
// speaker configuration with config.ts (Calico's confd rules) and applies each change to the running
// speaker without disturbing unaffected sessions. `onRoutes` receives the full set of best routes learned
// from peers after every change (debounced; marked incomplete at start until peers sent End-of-RIB or
// `initialRouteDeferral` seconds passed, so a restarting agent does not flush routes it still needs).
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { Resource, ResourceChange } from '../api/resource.ts';
import { jittered, realClock, type Clock, type TimerHandle } from '../clock.ts';
import type { Datastore, WatchEvent, Watcher } from '../datastore/types.ts';
import { levelFromName, type Logger } from '../log.ts';
import { UnenforcedReporter } from '../api/unenforced.ts';
import { affectsBgp, desiredBgp, type BgpInputs } from './config.ts';
import { BGP_KINDS } from './kinds.ts';
import { DEFAULT_BGP_SECRETS_DIR, resolvePasswords } from './secrets.ts';
import { BgpSpeaker, type LearnedRoute, type LearnedRoutes, type SpeakerConfig } from './speaker.ts';
import type { BgpStatus } from './status.ts';

export type { LearnedRoute, LearnedRoutes } from './speaker.ts';
export type { BgpStatus } from './status.ts';
export type { ResourceChange } from '../api/resource.ts';

/**
 * Where the BGP configuration's resources come from. The node agent passes its syncer's snapshot (one
 * datastore watch per node for both); without one, startBgp lists and watches the datastore itself.
 */
export interface BgpResourceSource {
  /** The current objects of one of BGP_KINDS (kinds.ts). */
  items(kind: string): Iterable<Resource>;
  /** Calls `cb` after every change, with the object's kind and versions when known; returns the unsubscribe. */
  subscribe(cb: (kind?: string, change?: ResourceChange) => void): () => void;
  /** Resolves once the source holds the whole datastore (listed, and watching). */
  ready(): Promise<void>;
}

export interface StartBgpOptions {
  ds: Datastore;
  /** The resources to follow (default: a list and watch of `ds` of BGP's own). */
  resources?: BgpResourceSource;
  nodeName: string;
  log: Logger;
  /** Learned routes after every change; `complete` false during the start-up deferral (speaker.ts). */
  onRoutes: (routes: LearnedRoutes, complete: boolean) => void;
  /** Overrides BGPConfiguration listenPort (tests). */
  listenPort?: number;
  /** Timer overrides in seconds (tests use short ones). */
  timers?: { connectRetryTime?: number; holdTime?: number; errorWaitTime?: number; initialRouteDeferral?: number };
  clock?: Clock;
  /** Where BGPPeer/nodeMesh passwords' secrets are read: <dir>/<secret name>/<key> (default /etc/tabby/secrets). */
  secretsDir?: string;
  /** How often those files are re-read for a changed key (ms; default 10 s). */
  secretsRecheckMs?: number;
}

export interface BgpHandle {
  stop(opts?: { graceful?: boolean }): Promise<void>;
  status(): BgpStatus;
  /** Extra prefixes to originate besides the node's blocks (e.g. advertised service IPs). */
  setExports(extra: string[]): void;
  /** Current best learned routes. */
  learnedRoutes(): LearnedRoute[];
}

const KINDS = BGP_KINDS;
/**
 * Datastore events arrive in bursts (a node's block and affinity, a peer and its node): configure once per
 * burst. The window opens at the first event and is not pushed back by later ones, so a new block reaches the
 * peers within BURST_WINDOW_MS of its write however busy the datastore is.
 */
const BURST_WINDOW_MS = 2;

export async function startBgp(opts: StartBgpOptions): Promise<BgpHandle> {
  const clock = opts.clock ?? realClock;
  const runner = new SpeakerRunner(opts, clock);
  let debounce: TimerHandle | undefined;
  let stopped = false;
  let applying: Promise<void> = Promise.resolve();
  const schedule = (): void => {
    if (stopped || debounce !== undefined) return;
    debounce = clock.setTimeout(() => { debounce = undefined; applying = applying.then(apply, apply); }, BURST_WINDOW_MS);
  };
  const own = opts.resources ? undefined : new BgpResources(opts.ds, opts.log, clock);
  const resources: BgpResourceSource = opts.resources ?? own!;
  const unsubscribe = resources.subscribe((kind, change) => {
    if (kind === undefined || change === undefined || affectsBgp(kind, change, opts.nodeName)) schedule();
  });
  const apply = () => runner.apply(bgpInputs(resources, opts.nodeName));
  await resources.ready();
  applying = apply();
  await applying;
  // Secret files have no watch (Calico watches the Secret): re-read them now and then, reconfigure on a change.
  let recheck: TimerHandle | undefined;
  const recheckSecrets = (): void => {
    if (stopped) return;
    if (runner.passwordsChanged()) schedule();
    recheck = clock.setTimeout(recheckSecrets, opts.secretsRecheckMs ?? 10_000);
    recheck.unref();
  };
  recheckSecrets();

  return {
    async stop(o) {
      stopped = true;
      clock.clear(debounce);
      clock.clear(recheck);
      unsubscribe();
      own?.stop();
      await applying.catch(() => undefined);
      await runner.stop(o);
    },
    status: () => runner.status(),
    setExports(e) { runner.extra = [...e]; schedule(); },
    learnedRoutes: () => runner.learnedRoutes(),
  };
}

function bgpInputs(src: BgpResourceSource, nodeName: string): BgpInputs {
  const items = (k: string) => [...src.items(k)];
  return {
    nodeName, nodes: items('Node'), bgpConfigurations: items('BGPConfiguration'), bgpPeers: items('BGPPeer'), bgpFilters: items('BGPFilter'),
    ipPools: items('IPPool'), blocks: items('IPAMBlock'), affinities: items('BlockAffinity'),
  };
}

/** BGP's own source: the resources listed, then kept current by a watch (re-listing after it ends). */
class BgpResources implements BgpResourceSource {
  private readonly cache = new Map<string, Map<string, Resource>>(KINDS.map((k) => [k, new Map()]));
  private watcher: Watcher | undefined;
  private retryTimer: TimerHandle | undefined;
  private stopped = false;
  private onChange: (kind?: string, change?: ResourceChange) => void = () => {};

  constructor(private readonly ds: Datastore, private readonly log: Logger, private readonly clock: Clock) {}

  async ready(): Promise<void> { this.watchFrom(await this.listAll()); }

  subscribe(cb: (kind?: string, change?: ResourceChange) => void): () => void { this.onChange = cb; return () => { this.onChange = () => {}; }; }

  items(kind: string): Iterable<Resource> { return this.cache.get(kind)?.values() ?? []; }

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    this.clock.clear(this.retryTimer);
  }

  private async listAll(): Promise<number> {
    let rev = 0;
    for (const k of KINDS) {
      const r = await this.ds.list(k);
      this.cache.set(k, new Map(r.items.map((o) => [objKey(o), o])));
      rev = Math.max(rev, r.revision);
    }
    return rev;
  }

  private watchFrom(rev: number): void {
    if (this.stopped) return;
    this.watcher = this.ds.watch({ kinds: [...KINDS], fromRevision: rev }, (ev: WatchEvent) => {
      const m = this.cache.get(ev.kind);
      if (!m) return;
      const key = objKey(ev.object);
      const old = m.get(key);
      if (ev.type === 'deleted') m.delete(key); else m.set(key, ev.object);
      this.onChange(ev.kind, { old, now: ev.type === 'deleted' ? undefined : ev.object });
    }, (err) => {
      this.log.warn({ err: err.message, code: err.code }, 'datastore watch ended; re-listing');
      this.watcher = undefined;
      this.retryAfter(jittered(1000));
    });
  }

  private retryAfter(ms: number): void {
    this.retryTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.listAll().then((r) => { this.watchFrom(r); this.onChange(); }, () => this.retryAfter(jittered(2000)));
    }, ms);
  }
}

function objKey(o: Resource): string { return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name; }

/** Starts, reconfigures and stops the speaker as the derived configuration changes (stopped while there is none). */
class SpeakerRunner {
  /** Prefixes to originate besides the node's blocks. */
  extra: string[] = [];
  private speaker: BgpSpeaker | undefined;
  private lastProblem: string | undefined;
  /** The passwords (or errors) last configured, to notice a changed secret file. */
  private lastPasswords = '';
  private lastRefs: SpeakerConfig | undefined;
  private log: Logger;
  private readonly unenforced: UnenforcedReporter;

  constructor(private readonly opts: StartBgpOptions, private readonly clock: Clock) {
    // The agent hands over a logger already bound to { mod: 'bgp' }: no second binding here (a repeated key
    // would appear twice in every line).
    this.log = opts.log;
    this.unenforced = new UnenforcedReporter(opts.log);
  }

  async apply(inputs: BgpInputs): Promise<void> {
    try { await this.applyOnce(inputs); } catch (e) { this.log.error({ err: e }, 'applying the BGP configuration failed'); }
  }

  status(): BgpStatus {
    return this.speaker?.status() ?? { running: false, routerId: '', asNumber: 0, listenPort: 0, locRibRoutes: 0, exportedPrefixes: [], peers: [] };
  }

  learnedRoutes(): LearnedRoute[] { return this.speaker?.learnedRoutes() ?? []; }

  private get secretsDir(): string { return this.opts.secretsDir ?? DEFAULT_BGP_SECRETS_DIR; }

  /** Whether a secret file now reads differently from what the speaker was configured with. */
  passwordsChanged(): boolean {
    if (!this.lastRefs?.peers.some((p) => p.passwordSecret)) return false;
    return passwordsFingerprint(resolvePasswords(this.lastRefs, this.secretsDir)) !== this.lastPasswords;
  }

  async stop(o?: { graceful?: boolean }): Promise<void> {
    const s = this.speaker;
    this.speaker = undefined;
    if (s) await s.stop(o);
  }

  private async applyOnce(inputs: BgpInputs): Promise<void> {
    this.unenforced.check([...inputs.bgpConfigurations, ...inputs.bgpPeers, ...inputs.bgpFilters ?? []]);
    let d;
    try { d = desiredBgp(inputs); } catch (e) { this.log.error({ err: e }, 'BGP configuration could not be computed'); return; }
    for (const w of d.warnings) this.log.warn(w);
    this.log = this.opts.log.child({}, { level: levelFromName(d.logSeverityScreen, this.opts.log.level) });
    if (!d.config) {
      if (d.problem !== this.lastProblem) this.log.warn({ problem: d.problem }, 'BGP not running');
      this.lastProblem = d.problem;
      await this.stop({ graceful: false });
      return;
    }
    this.lastProblem = undefined;
    this.lastRefs = d.config;
    const cfg: SpeakerConfig = resolvePasswords({ ...d.config, exports: [...new Set([...d.config.exports, ...this.extra])], ...(this.opts.timers ?? {}) }, this.secretsDir);
    this.lastPasswords = passwordsFingerprint(cfg);
    if (this.opts.listenPort !== undefined) cfg.listenPort = this.opts.listenPort;
    if (this.speaker) { this.speaker.reconfigure(cfg); return; }
    const speaker = new BgpSpeaker(cfg, { log: this.log, onRoutes: this.opts.onRoutes, clock: this.clock });
    try {
      await speaker.start();
      this.speaker = speaker;
    } catch (e) {
      this.log.error({ err: e, port: cfg.listenPort }, 'BGP speaker failed to start');
      await speaker.stop({ graceful: false }).catch(() => undefined);
    }
  }
}

function passwordsFingerprint(cfg: SpeakerConfig): string {
  const h = createHash('sha256');
  for (const p of cfg.peers) h.update(`${p.address}\0${p.password ?? ''}\0${p.passwordError ?? ''}\0`);
  return h.digest('hex');
}

/** GET /bgp/status → the speaker's status as JSON (mount on the node's health server, port 9099). */
export function bgpStatusHandler(getStatus: () => BgpStatus): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { 'content-type': 'text/plain' }).end('only GET\n'); return; }
    let body: string;
    try { body = JSON.stringify(getStatus()); } catch (e) { res.writeHead(500, { 'content-type': 'text/plain' }).end(`status failed: ${(e as Error).message}\n`); return; }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
}
