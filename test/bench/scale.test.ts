// bench/scale's pure parts: reading etcd's Prometheus text, and the SVG of cost per node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricSum, parseEtcdMetrics } from '../../bench/scale-etcd.ts';
import { scaleSvg } from '../../bench/scale-plot.ts';

const METRICS = `# HELP etcd_debugging_mvcc_watcher_total Total number of watchers.
# TYPE etcd_debugging_mvcc_watcher_total gauge
etcd_debugging_mvcc_watcher_total 52
etcd_debugging_mvcc_watch_stream_total 51
grpc_server_started_total{grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 1200
grpc_server_started_total{grpc_method="Txn",grpc_service="etcdserverpb.KV",grpc_type="unary"} 300
grpc_server_started_total{grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"} 52
grpc_server_started_total_extra 9
etcd_network_client_grpc_received_bytes_total 1.5e+06
etcd_network_client_grpc_sent_bytes_total 2500000
`;

test('etcd metrics: sums every label set of a metric, not metrics that merely share its prefix', () => {
  assert.equal(metricSum(METRICS, 'grpc_server_started_total'), 1552);
  assert.deepEqual(parseEtcdMetrics(METRICS), { watchers: 52, watchStreams: 51, requests: 1552, bytes: 4_000_000 });
  assert.deepEqual(parseEtcdMetrics(''), { watchers: 0, watchStreams: 0, requests: 0, bytes: 0 });
});

test('the scale plot: one point per size in each panel, valid SVG text', () => {
  const row = (nodes: number) => ({ nodes, sessionsMesh: nodes - 1, sessionsRr: 2, rssMiB: 90, cpuPct: 0.4, watchers: nodes, reqPerS: nodes / 5, bringUpReqPerS: nodes * 3, convergeS: nodes / 10 });
  const svg = scaleSvg([row(10), row(20), row(50)]);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 6, 'six series over four panels');
  assert.equal((svg.match(/<circle /g) ?? []).length, 18);
  assert.match(svg, /<title>50 nodes: 49<\/title>/);
  assert.ok(svg.trim().endsWith('</svg>'));
});
