// `tabby node status`: asks the running node process for its BGP status (GET /bgp/status on the node's
// status port, 9099 by default, served by every agent whatever its backend, src/agent/main.ts) and prints calicoctl's table.
import http from 'node:http';
import type { Command } from 'commander';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';
import { formatNodeStatus, formatPeerDetail, NO_BGP_BACKEND_TEXT, NOT_RUNNING_TEXT, type BgpStatus } from '../bgp/status.ts';

export const DEFAULT_STATUS_ENDPOINT = 'http://127.0.0.1:9099/bgp/status';

/** Fetch the status JSON. `endpoint` is an http URL or `unix:/path/to.sock` (path /bgp/status is used). */
export function fetchBgpStatus(endpoint: string, timeoutMs = 2000): Promise<BgpStatus> {
  return new Promise((resolve, reject) => {
    let opts: http.RequestOptions;
    if (endpoint.startsWith('unix:')) {
      opts = { socketPath: endpoint.slice(5), path: '/bgp/status' };
    } else {
      let u: URL;
      try { u = new URL(endpoint); } catch { reject(new CliError(`invalid status endpoint "${endpoint}"`, EXIT_USAGE)); return; }
      opts = { host: u.hostname, port: u.port || 80, path: u.pathname === '/' ? '/bgp/status' : u.pathname };
    }
    const req = http.get({ ...opts, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) { reject(new CliError(`node status endpoint answered ${res.statusCode}: ${body.trim()}`)); return; }
        try { resolve(JSON.parse(body) as BgpStatus); } catch { reject(new CliError('node status endpoint returned malformed JSON')); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(e));
  });
}

export function registerNodeStatus(nodeCmd: Command): void {
  nodeCmd
    .command('status')
    .description('Show the BGP status of the node this command runs on (calicoctl node status)')
    .option('--endpoint <url>', 'status endpoint of the running node (http URL or unix:/path)', process.env.TABBY_NODE_STATUS_URL ?? DEFAULT_STATUS_ENDPOINT)
    .option('--detail', 'also print per-peer detail: prefixes received/sent, capabilities, last error')
    .option('-o, --output <format>', 'table (default) or json', 'table')
    .action(async (opts: { endpoint: string; detail?: boolean; output: string }) => {
      if (opts.output !== 'table' && opts.output !== 'json') throw new CliError(`unknown output format "${opts.output}" (want table or json)`, EXIT_USAGE);
      let status: BgpStatus;
      try {
        status = await fetchBgpStatus(opts.endpoint);
      } catch (e) {
        if (e instanceof CliError) throw e;
        process.stdout.write(NOT_RUNNING_TEXT);
        throw new CliError(`cannot reach the node at ${opts.endpoint}: ${(e as Error).message}`, EXIT_FAILED);
      }
      if (opts.output === 'json') { process.stdout.write(JSON.stringify(status, null, 2) + '\n'); return; }
      if (!status.running) { process.stdout.write(NO_BGP_BACKEND_TEXT); return; }
      process.stdout.write(formatNodeStatus(status));
      if (opts.detail) process.stdout.write('\n' + formatPeerDetail(status));
    });
}
