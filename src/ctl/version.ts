// `tabby version`, laid out like calicoctl's: client version and git commit, then the cluster's version and
// type from the ClusterInformation "default" object (Tabby's version stands where Calico's would).
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { projectRoot } from '../project-root.ts';
import { TABBY_VERSION } from '../version.ts';
import { isDatastoreError } from '../datastore/types.ts';
import { CliError, EXIT_FAILED, EXIT_UNAVAILABLE } from './errors.ts';
import { out, withDatastore } from './context.ts';

export function clientVersion(): string {
  return `v${TABBY_VERSION}`;
}

/** The checkout's commit, read from .git without running git (or TABBY_GIT_COMMIT when built elsewhere). */
export function gitCommit(): string {
  if (process.env.TABBY_GIT_COMMIT) return process.env.TABBY_GIT_COMMIT;
  try {
    const { gitDir, commonDir } = gitDirs(projectRoot());
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 8);
    const ref = head.slice(5);
    for (const dir of [gitDir, commonDir]) {
      try { return readFileSync(join(dir, ref), 'utf8').trim().slice(0, 8); } catch { /* packed, or in the common dir */ }
    }
    const packed = readFileSync(join(commonDir, 'packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line ? line.slice(0, 8) : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A checkout's git directory; a worktree's `.git` is a file naming it, with refs kept in the common dir. */
function gitDirs(root: string): { gitDir: string; commonDir: string } {
  const dotGit = join(root, '.git');
  if (!statSync(dotGit).isFile()) return { gitDir: dotGit, commonDir: dotGit };
  const gitDir = resolve(root, readFileSync(dotGit, 'utf8').trim().replace(/^gitdir:\s*/, ''));
  let commonDir = gitDir;
  try { commonDir = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim()); } catch { /* not a linked worktree */ }
  return { gitDir, commonDir };
}

const row = (label: string, value: string): string => `${(label + ':').padEnd(19)}${value}\n`;

export function registerVersionCommand(program: Command): void {
  program.command('version')
    .description('Show client and cluster versions')
    .option('--client', 'show the client version only (no datastore needed)')
    .action(async (opts: { client?: boolean }, cmd: Command) => {
      out(row('Client Version', clientVersion()));
      out(row('Git commit', gitCommit()));
      if (opts.client) return;
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
