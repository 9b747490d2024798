// `tabby cni …`: installing the CNI plugin (Calico's install-cni role).
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from './errors.ts';
import { installCni, type InstallOptions } from '../cni/install.ts';

export function registerCniCommands(program: Command): void {
  const cni = program.command('cni').description('CNI plugin management');
  cni.command('install')
    .description('Install tabby-cni/tabby-ipam (also as calico/calico-ipam) and write 10-calico.conflist')
    .requiredOption('--bin-dir <dir>', 'CNI binary directory (e.g. /opt/cni/bin)')
    .requiredOption('--conf-dir <dir>', 'CNI config directory (e.g. /etc/cni/net.d)')
    .option('--datastore-path <file>', 'embedded datastore file the plugin uses')
    .option('--datastore-type <type>', 'embedded | etcdv3 | kubernetes (kubernetes = the node default store)')
    .option('--etcd-endpoints <urls>', 'etcd endpoints (comma-separated) for datastore type etcdv3')
    .option('--etcd-ca-cert-file <file>', 'CA certificate of a TLS etcd (netconf etcd_ca_cert_file)')
    .option('--etcd-cert-file <file>', 'client certificate for etcd (netconf etcd_cert_file)')
    .option('--etcd-key-file <file>', 'client key for etcd (netconf etcd_key_file)')
    .option('--nodename <name>', 'node name written into the conflist (default: read from the node agent state)')
    .option('--mtu <n>', 'pod MTU (0 = auto from the node agent state dir)')
    .option('--state-dir <dir>', 'node agent state dir (nodename, mtu), default /var/lib/tabby')
    .option('--log-file <file>', 'plugin log file', '/var/log/calico/cni/cni.log')
    .option('--log-level <level>', 'plugin log level (debug, info, warning, error)', 'info')
    .option('--conf-name <name>', 'conflist file name (env CNI_CONF_NAME)', undefined)
    .option('--network-name <name>', 'network name', 'k8s-pod-network')
    .option('--cni-version <v>', 'conflist cniVersion', '1.0.0')
    .option('--no-chain', 'do not chain portmap and bandwidth after the plugin')
    .option('--entry <entry>', 'auto (the compiled fast entry when built, else Node launchers) | node', 'auto')
    .action((o: Record<string, string | boolean | undefined>) => {
      let mtu: number | undefined;
      if (o.mtu !== undefined) {
        mtu = Number(o.mtu);
        if (!Number.isInteger(mtu) || mtu < 0 || (mtu > 0 && mtu < 68) || mtu > 65535) throw new CliError(`--mtu must be 0 or 68-65535, got "${o.mtu}"`, EXIT_USAGE);
      }
      if (!!o.etcdCertFile !== !!o.etcdKeyFile) throw new CliError('--etcd-cert-file and --etcd-key-file go together (a client certificate needs its key)', EXIT_USAGE);
      const dt = o.datastoreType as string | undefined;
      if (dt && !['embedded', 'etcdv3', 'kubernetes'].includes(dt)) throw new CliError(`--datastore-type must be embedded, etcdv3 or kubernetes, got "${dt}"`, EXIT_USAGE);
      if (o.entry !== 'auto' && o.entry !== 'node') throw new CliError(`--entry must be auto or node, got "${o.entry}"`, EXIT_USAGE);
      const r = installCni({
        entry: o.entry,
        binDir: o.binDir as string, confDir: o.confDir as string,
        logFile: o.logFile as string, logLevel: o.logLevel as string,
        networkName: o.networkName as string, cniVersion: o.cniVersion as string,
        chain: o.chain !== false,
        // Flags not given stay absent, so the installer's own defaults apply.
        ...(o.datastorePath !== undefined ? { datastorePath: o.datastorePath as string } : {}),
        ...(dt !== undefined ? { datastoreType: dt as NonNullable<InstallOptions['datastoreType']> } : {}),
        ...(o.etcdEndpoints !== undefined ? { etcdEndpoints: o.etcdEndpoints as string } : {}),
        ...(o.etcdCaCertFile !== undefined ? { etcdCACertFile: o.etcdCaCertFile as string } : {}),
        ...(o.etcdCertFile !== undefined ? { etcdCertFile: o.etcdCertFile as string } : {}),
        ...(o.etcdKeyFile !== undefined ? { etcdKeyFile: o.etcdKeyFile as string } : {}),
        ...(o.nodename !== undefined ? { nodename: o.nodename as string } : {}),
        ...(mtu !== undefined ? { mtu } : {}),
        ...(o.stateDir !== undefined ? { stateDir: o.stateDir as string } : {}),
        ...(o.confName !== undefined ? { confName: o.confName as string } : {}),
      });
      for (const e of r.executables) process.stdout.write(`installed ${e}\n`);
      process.stdout.write(`plugin entry: ${r.compiledEntry ? 'compiled (dist/tabby-cni-fast)' : 'node'}\n`);
      process.stdout.write(`wrote ${r.conflist}\n`);
      if (r.fromSource) process.stderr.write('warning: dist/ bundles not found (run scripts/build.sh); launchers run the TypeScript source, which starts slowly\n');
    });
}
