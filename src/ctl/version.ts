// `tabby version`, laid out like calicoctl's: client version and git commit, then the cluster's version and
// type from the ClusterInformation "default" object (Tabby's version stands where Calico's would).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { isDatastoreError } from '../datastore/types.ts';
import { CliError, EXIT_FAILED, EXIT_UNAVAILABLE } from './errors.ts';
import { out, withDatastore } from './context.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function clientVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
    return `v${pkg.version ?? '0.0.0'}`;
  } catch {
    return 'unknown';
  }
}

/** The checkout's commit, read from .git without running git (or TABBY_GIT_COMMIT when built elsewhere). */
export function gitCommit(): string {
  if (process.env.TABBY_GIT_COMMIT) return process.env.TABBY_GIT_COMMIT;
  try {
    const head = readFileSync(join(root, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 8);
    const ref = head.slice(5);
    try {
      return readFileSync(join(root, '.git', ref), 'utf8').trim().slice(0, 8);
    } catch {
      const packed = readFileSync(join(root, '.git', 'packed-refs'), 'utf8');
      const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
      return line ? line.slice(0, 8) : 'unknown';
    }
  } catch {
    return 'unknown';
  }
}

const row = (label: string, value: string): string => `${(label + ':').padEnd(19)}${value}\n`;

export function registerVersionCommand(program: Command): void {
  program.command('version')
    .description('Show client and cluster versions')
    .action(async (_opts: unknown, cmd: Command) => {
      out(row('Client Version', clientVersion()));
      out(row('Git commit', gitCommit()));
      try {
        await withDatastore(cmd, async ({ datastore }) => {
          const info = await datastore.get('ClusterInformation', 'default');
          if (!info) throw new CliError('Unable to retrieve Cluster Version or Type: ClusterInformation "default" does not exist (no node has started yet)', EXIT_FAILED);
          out(row('Cluster Version', String(info.spec?.calicoVersion ?? 'unknown')));
          out(row('Cluster Type', String(info.spec?.clusterType ?? 'unknown')));
        });
      } catch (e) {
        if (e instanceof CliError) throw e;
        const code = isDatastoreError(e, 'Unavailable') ? EXIT_UNAVAILABLE : EXIT_FAILED;
        throw new CliError(`Unable to retrieve Cluster Version or Type: ${(e as Error).message}`, code);
      }
    });
}
