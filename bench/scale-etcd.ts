// etcd's own load, from its Prometheus /metrics (served on the client port, read inside the controlplane's
// namespace with a bash /dev/tcp request): watchers, gRPC requests started, gRPC bytes both ways.
import { spawnSync } from 'node:child_process';

export interface EtcdSample { watchers: number; watchStreams: number; requests: number; bytes: number }

const PROBE = 'exec 3<>/dev/tcp/127.0.0.1/2379 && printf "GET /metrics HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3 && cat <&3';

/** Sum of every sample of a metric (all label sets). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? ([-+\d.eE]+)/.exec(line);
    if (m && m[1] === name) sum += Number(m[3]);
  }
  return sum;
}

export function parseEtcdMetrics(text: string): EtcdSample {
  return {
    watchers: metricSum(text, 'etcd_debugging_mvcc_watcher_total'),
    watchStreams: metricSum(text, 'etcd_debugging_mvcc_watch_stream_total'),
    requests: metricSum(text, 'grpc_server_started_total'),
    bytes: metricSum(text, 'etcd_network_client_grpc_received_bytes_total') + metricSum(text, 'etcd_network_client_grpc_sent_bytes_total'),
  };
}

export function etcdMetrics(controlplaneNs: string): EtcdSample {
  const r = spawnSync('ip', ['netns', 'exec', controlplaneNs, 'timeout', '5', 'bash', '--norc', '--noprofile', '-c', PROBE], { encoding: 'utf8', maxBuffer: 32 << 20 });
  if (r.status !== 0) throw new Error(`etcd /metrics in ${controlplaneNs}: exit ${r.status} ${r.stderr}`);
  return parseEtcdMetrics(r.stdout);
}
