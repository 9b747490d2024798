// `tabby node run`: flags and environment → the node agent (composed by src/agent/node.ts), run until
// SIGTERM/SIGINT. A module of its own: a node process loads this and not the rest of the command line
// (main.ts), since every module it parses stays in its memory for as long as it runs.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { errorFields } from '../errors.ts';
import { TABBY_STATE_DIR } from '../paths.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

interface RunFlags {
  nodeName?: string;
  stateDir?: string;
  ip?: string;
  ipAutodetectionMethod?: string;
  backend?: string;
  healthPort: string;
  healthHost: string;
  metricsPort: string;
  tracePort: string;
  traceHost: string;
  traceTokenFile: string;
  metricsHost: string;
  resyncInterval: string;
  logFile?: string;
  datastorePath?: string;
  policy: boolean;
  cniServer: boolean;
  bgpSecretsDir?: string;
}

/**
 * TABBY_IPAM_LEAK_GRACE_PERIOD (a duration such as "15m"; "0" disables): what Calico sets as
 * KubeControllersConfiguration spec.controllers.node.leakGracePeriod, for the agent's IPAM GC (leaked addresses
 * and empty blocks of its node).
 */
async function leakGracePeriodMs(v: string | undefined): Promise<number | undefined> {
  if (v === undefined || v === '') return undefined;
  const { parseDurationSeconds } = await import('../bgp/config.ts');
  try {
    return parseDurationSeconds(v)! * 1000;
  } catch {
    throw new CliError(`TABBY_IPAM_LEAK_GRACE_PERIOD must be a duration such as 15m or 0, got "${v}"`, EXIT_USAGE);
  }
}

function port(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`${flag} must be a port number 0-65535 (0 disables), got "${v}"`, EXIT_USAGE);
  return n;
}

export function registerNodeRun(nodeCmd: Command, program: Command): void {
  nodeCmd
    .command('run')
    .description('Run the node agent in this network namespace: register the node, then program routes, VXLAN, NAT and (backend bird) BGP')
    .option('--node-name <name>', 'node name (env NODENAME, else the host name)')
    .option('--state-dir <dir>', 'where the CNI plugin finds nodename and mtu (env TABBY_STATE_DIR)', undefined)
    .option('--ip <addr>', 'node IPv4 address (a.b.c.d[/len]) or "autodetect" (env IP)')
    .option('--ip-autodetection-method <method>', 'first-found | interface=REGEX | skip-interface=REGEX | can-reach=IP | cidr=CIDR (env IP_AUTODETECTION_METHOD)')
    .option('--backend <name>', 'bird (BGP, the default) | vxlan | none (env CALICO_NETWORKING_BACKEND)')
    .option('--health-port <n>', 'health port, /liveness and /readiness (0 disables)', process.env.FELIX_HEALTHPORT ?? '9099')
    .option('--health-host <addr>', 'health listen address', process.env.FELIX_HEALTHHOST ?? '127.0.0.1')
    .option('--metrics-port <n>', 'Prometheus port, /metrics (0 disables)', process.env.FELIX_PROMETHEUSMETRICSPORT ?? '9091')
    .option('--metrics-host <addr>', 'Prometheus listen address', process.env.FELIX_PROMETHEUSMETRICSHOST ?? '0.0.0.0')
    .option('--resync-interval <seconds>', 'kernel re-read period (Felix routeRefreshInterval)', process.env.FELIX_ROUTEREFRESHINTERVAL ?? '90')
    .option('--log-file <path>', 'write JSON logs to this file instead of stderr')
    .option('--datastore-path <file>', 'embedded datastore file (env TABBY_DATASTORE_PATH)')
    .option('--no-policy', 'do not enforce network policy (env TABBY_POLICY=disabled); routing only')
    .option('--trace-port <n>', 'trace endpoint port, POST /trace/segment (0 disables; env TABBY_TRACE_PORT)', process.env.TABBY_TRACE_PORT ?? '9097')
    .option('--trace-host <addr>', 'trace endpoint listen address (env TABBY_TRACE_HOST)', process.env.TABBY_TRACE_HOST ?? '0.0.0.0')
    .option('--trace-token-file <file>', 'the cluster trace token; without it the endpoint is off (env TABBY_TRACE_TOKEN_FILE)', process.env.TABBY_TRACE_TOKEN_FILE ?? '/etc/tabby/trace-token')
    .option('--bgp-secrets-dir <dir>', 'BGP passwords (BGPPeer password, nodeMeshPassword secretKeyRef): files <dir>/<secret name>/<key> (env TABBY_BGP_SECRETS_DIR, default /etc/tabby/secrets)')
    .option('--no-cni-server', 'do not run CNI invocations for the plugin on <state-dir>/cni.sock (env TABBY_CNI_SERVER=disabled)')
    .action((flags: RunFlags) => runNode(flags, program));
}

/** Flags and environment → the agent's options; start it and run until SIGTERM/SIGINT. */
async function runNode(flags: RunFlags, program: Command): Promise<void> {
  const env = process.env;
  const backend = (flags.backend ?? env.CALICO_NETWORKING_BACKEND ?? 'bird').toLowerCase();
  if (backend !== 'bird' && backend !== 'vxlan' && backend !== 'none') {
    throw new CliError(`unknown networking backend "${backend}" (want bird, vxlan or none)`, EXIT_USAGE);
  }
  const resync = Number(flags.resyncInterval);
  if (!(resync > 0)) throw new CliError(`--resync-interval must be a positive number of seconds, got "${flags.resyncInterval}"`, EXIT_USAGE);
  const healthPort = port(flags.healthPort, '--health-port');
  const metricsPort = port(flags.metricsPort, '--metrics-port');
  const tracePort = port(flags.tracePort, '--trace-port');
  const nodeName = flags.nodeName ?? env.NODENAME ?? env.HOSTNAME ?? hostname();
  const stateDir = flags.stateDir ?? env.TABBY_STATE_DIR ?? TABBY_STATE_DIR;

  const { createLogger } = await import('../log.ts');
  const globals = program.opts() as { config?: string; logLevel?: string };
  const level = program.getOptionValueSource('logLevel') === 'cli' ? globals.logLevel : (env.TABBY_LOG_LEVEL ?? env.LOG_LEVEL ?? 'info');
  const log = createLogger('node', { level, file: flags.logFile });
  const { openDatastore, resolveDatastoreConfig } = await import('../datastore/index.ts');
  const cfg = resolveDatastoreConfig({ configFile: globals.config, overrides: flags.datastorePath ? { type: 'embedded', path: flags.datastorePath } : {} });
  const ds = await openDatastore(cfg);
  const { startNodeAgent } = await import('../agent/node.ts');
  let running;
  try {
    running = await startNodeAgent({
      ds, nodeName, log, stateDir, backend,
      policy: flags.policy && (env.TABBY_POLICY ?? 'enabled').toLowerCase() !== 'disabled',
      cniServer: flags.cniServer && (env.TABBY_CNI_SERVER ?? 'enabled').toLowerCase() !== 'disabled',
      env: { ...env, IP: flags.ip ?? env.IP, IP_AUTODETECTION_METHOD: flags.ipAutodetectionMethod ?? env.IP_AUTODETECTION_METHOD },
      healthPort, healthHost: flags.healthHost, metricsPort, metricsHost: flags.metricsHost,
      resyncIntervalMs: resync * 1000,
      ipamLeakGracePeriodMs: await leakGracePeriodMs(env.TABBY_IPAM_LEAK_GRACE_PERIOD),
      trace: { port: tracePort, host: flags.traceHost, tokenFile: flags.traceTokenFile },
      ...((flags.bgpSecretsDir ?? env.TABBY_BGP_SECRETS_DIR) ? { bgpSecretsDir: (flags.bgpSecretsDir ?? env.TABBY_BGP_SECRETS_DIR)! } : {}),
    });
  } catch (e) {
    log.fatal(errorFields(e), 'start-up failed');
    await ds.close().catch(() => undefined);
    throw new CliError(`node agent start-up failed: ${(e as Error).message}`);
  }
  log.info({ node: nodeName, backend, stateDir, datastore: cfg.type }, 'node agent running');
  // Run until signalled; kernel state is left in place on exit so a restart adopts it without churn.
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  log.info('stopping');
  await running.stop();
  await ds.close();
}

/** The command line of a node process: the global options and `node run`, nothing else loaded. */
export async function nodeRunProgram(): Promise<Command> {
  const { rootCommand } = await import('./root.ts');
  const program = rootCommand();
  registerNodeRun(program.command('node').description('Run the node agent (calico-node role)'), program);
  return program;
}
