// Prometheus metrics (prom-client), Felix's names where Felix has one so existing dashboards read them:
// felix_int_dataplane_apply_time_seconds, felix_route_table_num_routes, felix_calc_graph_update_time_seconds,
// felix_int_dataplane_failures, felix_resyncs_started, plus tabby_* for what Felix does not export.
import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Resolution of the event-loop-lag metric (prom-client samples on a timer of this period). */
const EVENT_LOOP_SAMPLE_MS = 200;

export class AgentMetrics {
  readonly registry = new Registry();
  readonly applyTime = new Histogram({ name: 'felix_int_dataplane_apply_time_seconds', help: 'Time to apply one batch of changes to the dataplane', registers: [this.registry], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] });
  readonly calcSkipped = new Counter({ name: 'tabby_agent_calc_skipped_total', help: 'Apply passes that reused the last calculation: no datastore change since touched what it reads', registers: [this.registry] });
  readonly calcLearnedOnly = new Counter({ name: 'tabby_agent_calc_learned_only_total', help: 'Calculations that re-added only the BGP-learned routes: the datastore part was unchanged', registers: [this.registry] });
  readonly calcTime = new Histogram({ name: 'felix_calc_graph_update_time_seconds', help: 'Time to compute the desired state from the datastore snapshot', registers: [this.registry], buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] });
  readonly resyncTime = new Histogram({ name: 'felix_route_table_resync_seconds', help: 'Time to re-read the kernel route table', registers: [this.registry], buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5] });
  readonly routes = new Gauge({ name: 'felix_route_table_num_routes', help: 'Routes the agent has programmed (main table)', registers: [this.registry] });
  readonly routesProgrammed = new Counter({ name: 'tabby_agent_routes_programmed_total', help: 'Route writes (adds and replaces) done', registers: [this.registry] });
  readonly routesDeleted = new Counter({ name: 'tabby_agent_routes_deleted_total', help: 'Route deletions done', registers: [this.registry] });
  readonly failures = new Counter({ name: 'felix_int_dataplane_failures', help: 'Dataplane apply failures', registers: [this.registry], labelNames: ['manager'] });
  readonly resyncs = new Counter({ name: 'felix_resyncs_started', help: 'Kernel resyncs started', registers: [this.registry] });
  readonly datastoreConnected = new Gauge({ name: 'tabby_agent_datastore_connected', help: 'Whether the last datastore probe answered (1) or not (0)', registers: [this.registry] });
  readonly datastoreEvents = new Counter({ name: 'tabby_agent_datastore_events_total', help: 'Datastore watch events received', registers: [this.registry] });
  readonly datastoreRejected = new Counter({ name: 'tabby_agent_datastore_rejected_resources_total', help: 'Objects received from the datastore and refused (treated as missing): over a size or count limit, or unreadable', registers: [this.registry], labelNames: ['kind', 'reason'] });
  readonly localEndpoints = new Gauge({ name: 'felix_active_local_endpoints', help: 'Workload endpoints on this node', registers: [this.registry] });
  readonly clusterHosts = new Gauge({ name: 'felix_cluster_num_hosts', help: 'Nodes in the cluster', registers: [this.registry] });
  readonly bgpRoutes = new Gauge({ name: 'tabby_agent_bgp_learned_routes', help: 'Best routes learned over BGP', registers: [this.registry] });
  readonly cniServed = new Counter({ name: 'tabby_agent_cni_requests_total', help: 'CNI invocations the agent ran for the plugin (result: ok or error)', registers: [this.registry], labelNames: ['command', 'result'] });
  readonly cniServeTime = new Histogram({ name: 'tabby_agent_cni_request_seconds', help: 'Time the agent took to run a CNI invocation for the plugin', registers: [this.registry], labelNames: ['command'], buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5] });
  readonly ipamLeakCandidates = new Gauge({ name: 'tabby_ipam_leak_candidates', help: 'This node\'s IPAM allocations that no endpoint, tunnel or ADD in flight uses (candidate leaks, released after the grace period)', registers: [this.registry] });
  readonly ipamLeaksReleased = new Counter({ name: 'tabby_ipam_leaks_released_total', help: 'Leaked IPAM addresses of this node released after the grace period', registers: [this.registry] });
  readonly ipamBlocksReleased = new Counter({ name: 'tabby_ipam_blocks_released_total', help: 'Empty IPAM blocks of this node whose affinity was released after the cool-down', registers: [this.registry] });
  private server: http.Server | undefined;

  constructor() {
    // The event-loop-lag sampler's default 10 ms timer alone costs ~0.5% of a core on an idle node (measured:
    // 0.56% at 10 ms, 0.12% at 200 ms, 0.07% without); 200 ms still records every stall that matters here.
    collectDefaultMetrics({ register: this.registry, prefix: 'tabby_agent_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    // prom-client's default set includes gauges named *_total, a suffix Prometheus reserves for counters;
    // the same figures, broken down by type, remain in the unsuffixed gauges beside them.
    for (const m of this.registry.getMetricsAsArray()) {
      if (m.name.endsWith('_total') && m instanceof Gauge) this.registry.removeSingleMetric(m.name);
    }
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = http.createServer(async (req, res) => {
        if ((req.url ?? '').split('?')[0] !== '/metrics') { res.writeHead(404).end('not found\n'); return; }
        try { res.writeHead(200, { 'content-type': this.registry.contentType }).end(await this.registry.metrics()); }
        catch (e) { res.writeHead(500).end(String(e)); }
      });
      srv.once('error', reject);
      srv.listen(port, host, () => { srv.off('error', reject); this.server = srv; resolve(); });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => { if (!this.server) { resolve(); return; } this.server.close(() => resolve()); this.server.closeAllConnections?.(); });
  }
}
