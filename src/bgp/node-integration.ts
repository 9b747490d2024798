// The seam between the node agent (`tabby node run`) and the BGP speaker.
//
//   const bgp = await startBgp({ ds, nodeName, log, onRoutes });
//   health.mount('/bgp/status', bgpStatusHandler(() => bgp.status()));   // read by `tabby node status`
//   ...
//   await bgp.stop();          // graceful: peers keep our routes for our restart time (RFC 4724)
//
// startBgp watches Node, BGPConfiguration, BGPPeer, IPPool, IPAMBlock and BlockAffinity, derives the
// speaker configuration with config.ts (Calico's confd rules) and applies each change to the running
// speaker without disturbing unaffected sessions. `onRoutes` receives the full set of best routes learned
// from peers after every change (debounced, and held back at start until peers sent End-of-RIB or
// `initialRouteDeferral` seconds passed, so a restarting agent does not flush routes it still needs).
import type http from 'node:http';
import type { Resource } from '../api/resource.ts';
import type { Datastore, WatchEvent, Watcher } from '../datastore/types.ts';
import { levelFromName, type Logger } from '../log.ts';
import { desiredBgp, type BgpInputs } from './config.ts';
import { BgpSpeaker, type LearnedRoute, type SpeakerConfig } from './speaker.ts';
import type { BgpStatus } from './status.ts';

export type { LearnedRoute } from './speaker.ts';
export type { BgpStatus } from './status.ts';

export interface StartBgpOptions {
  ds: Datastore;
  nodeName: string;
  log: Logger;
  onRoutes: (routes: LearnedRoute[]) => void;
  /** Overrides BGPConfiguration listenPort (tests). */
  listenPort?: number;
  /** Timer overrides in seconds (tests use short ones). */
  timers?: { connectRetryTime?: number; holdTime?: number; errorWaitTime?: number; initialRouteDeferral?: number };
}

export interface BgpHandle {
  stop(opts?: { graceful?: boolean }): Promise<void>;
  status(): BgpStatus;
  /** Extra prefixes to originate besides the node's blocks (e.g. advertised service IPs). */
  setExports(extra: string[]): void;
  /** Current best learned routes. */
  learnedRoutes(): LearnedRoute[];
  /** Resolves once the speaker runs with the datastore's current configuration (tests). */
  whenConfigured(): Promise<void>;
}

const KINDS = ['Node', 'BGPConfiguration', 'BGPPeer', 'IPPool', 'IPAMBlock', 'BlockAffinity'] as const;

export async function startBgp(opts: StartBgpOptions): Promise<BgpHandle> {
  const { ds, nodeName } = opts;
  let log = opts.log.child({ component: 'bgp' });
  const cache = new Map<string, Map<string, Resource>>(KINDS.map((k) => [k, new Map()]));
  let speaker: BgpSpeaker | undefined;
  let extra: string[] = [];
  let watcher: Watcher | undefined;
  let stopped = false;
  let debounce: NodeJS.Timeout | undefined;
  let lastProblem: string | undefined;
  let applying: Promise<void> = Promise.resolve();

  const objKey = (o: Resource) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

  async function listAll(): Promise<number> {
    let rev = 0;
    for (const k of KINDS) {
      const r = await ds.list(k);
      const m = new Map<string, Resource>();
      for (const o of r.items) m.set(objKey(o), o);
      cache.set(k, m);
      rev = Math.max(rev, r.revision);
    }
    return rev;
  }

  function inputs(): BgpInputs {
    const items = (k: string) => [...cache.get(k)!.values()];
    return {
      nodeName, nodes: items('Node'), bgpConfigurations: items('BGPConfiguration'), bgpPeers: items('BGPPeer'),
      ipPools: items('IPPool'), blocks: items('IPAMBlock'), affinities: items('BlockAffinity'),
    };
  }

  async function apply(): Promise<void> {
    try { await applyOnce(); } catch (e) { log.error({ err: e }, 'applying the BGP configuration failed'); }
  }

  async function applyOnce(): Promise<void> {
    if (stopped) return;
    let d;
    try { d = desiredBgp(inputs()); } catch (e) { log.error({ err: e }, 'BGP configuration could not be computed'); return; }
    for (const w of d.warnings) log.warn(w);
    log = opts.log.child({ component: 'bgp' }, { level: levelFromName(d.logSeverityScreen, opts.log.level) });
    if (!d.config) {
      if (d.problem !== lastProblem) log.warn({ problem: d.problem }, 'BGP not running');
      lastProblem = d.problem;
      if (speaker) { await speaker.stop({ graceful: false }); speaker = undefined; }
      return;
    }
    lastProblem = undefined;
    const cfg: SpeakerConfig = { ...d.config, exports: [...new Set([...d.config.exports, ...extra])], ...(opts.timers ?? {}) };
    if (opts.listenPort !== undefined) cfg.listenPort = opts.listenPort;
    if (!speaker) {
      speaker = new BgpSpeaker(cfg, { log, onRoutes: opts.onRoutes });
      try {
        await speaker.start();
      } catch (e) {
        log.error({ err: e, port: cfg.listenPort }, 'BGP speaker failed to start');
        await speaker.stop({ graceful: false }).catch(() => undefined);
        speaker = undefined;
        return;
      }
    } else {
      speaker.reconfigure(cfg);
    }
  }

  function schedule(): void {
    if (stopped) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => { applying = applying.then(apply, apply); }, 100);
  }

  function watchFrom(rev: number): void {
    watcher = ds.watch({ kinds: [...KINDS], fromRevision: rev }, (ev: WatchEvent) => {
      const m = cache.get(ev.kind);
      if (!m) return;
      if (ev.type === 'deleted') m.delete(objKey(ev.object)); else m.set(objKey(ev.object), ev.object);
      schedule();
    }, (err) => {
      log.warn({ err: err.message, code: err.code }, 'datastore watch ended; re-listing');
      watcher = undefined;
      const retry = () => {
        if (stopped) return;
        listAll().then((r) => { watchFrom(r); schedule(); }, () => setTimeout(retry, 2000));
      };
      setTimeout(retry, 1000);
    });
  }

  const rev = await listAll();
  watchFrom(rev);
  applying = apply();
  await applying;

  const emptyStatus = (): BgpStatus => ({ running: false, routerId: '', asNumber: 0, listenPort: 0, locRibRoutes: 0, exportedPrefixes: [], peers: [] });

  return {
    async stop(o) {
      stopped = true;
      clearTimeout(debounce);
      watcher?.stop();
      await applying.catch(() => undefined);
      if (speaker) await speaker.stop(o);
      speaker = undefined;
    },
    status: () => speaker?.status() ?? emptyStatus(),
    setExports(e) {
      extra = [...e];
      schedule();
    },
    learnedRoutes: () => speaker?.learnedRoutes() ?? [],
    async whenConfigured() {
      await new Promise((r) => setTimeout(r, 150)); // past the watch debounce
      await applying.catch(() => undefined);
    },
  };
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
