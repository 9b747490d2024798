// What every datastore-backed `tabby` command needs: the global flags (-c/--config) resolved into a
// datastore (flags > env DATASTORE_TYPE/ETCD_ENDPOINTS/TABBY_DATASTORE_PATH > config file > defaults),
// a validated ResourceClient over it, and the output streams. Tests swap in a memory datastore and
// captured streams through setCtlOverrides instead of spawning processes.
import type { Command } from 'commander';
import { openDatastore, resolveDatastoreConfig, type DatastoreConfig } from '../datastore/index.ts';
import { isDatastoreError, type Datastore } from '../datastore/types.ts';
import { ResourceClient } from '../client/client.ts';
import { CliError, EXIT_UNAVAILABLE, EXIT_USAGE } from './errors.ts';
import { exitWhenDone } from './exit-when-done.ts';

export interface CtlOverrides {
  /** Used instead of opening the configured datastore; it is not closed after the command. */
  datastore?: Datastore;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** Used instead of process.stdin for `-f -`. */
  stdin?: (() => Promise<string>) | undefined;
}

let overrides: CtlOverrides = {};

/** For in-process tests: route datastore and output; returns a function restoring the previous state. */
export function setCtlOverrides(o: CtlOverrides): () => void {
  const prev = overrides;
  overrides = o;
  return () => { overrides = prev; };
}

export function out(s: string): void {
  (overrides.stdout ?? ((x: string) => process.stdout.write(x)))(s);
}

export function err(s: string): void {
  (overrides.stderr ?? ((x: string) => process.stderr.write(x)))(s);
}

export async function readStdin(): Promise<string> {
  if (overrides.stdin) return overrides.stdin();
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface CtlContext {
  datastore: Datastore;
  client: ResourceClient;
}

/** The root program's options (global flags), whatever subcommand we are in. */
function globalOpts(cmd: Command): { config?: string } {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.opts() as { config?: string };
}

/** Open the datastore the global flags/env/config select. Bad configuration is a usage error (exit 2). */
export async function openCommandDatastore(cmd: Command): Promise<{ datastore: Datastore; owned: boolean }> {
  if (overrides.datastore) return { datastore: overrides.datastore, owned: false };
  let ds: Datastore;
  try {
    const cfg = resolveDatastoreConfig({ configFile: globalOpts(cmd).config });
    await noteDatastoreChoice(cfg, globalOpts(cmd).config);
    ds = await openDatastore(cfg);
  } catch (e) {
    if (isDatastoreError(e, 'Invalid')) throw new CliError(e.message, EXIT_USAGE);
    if (isDatastoreError(e, 'Unavailable')) throw new CliError(`datastore unavailable: ${e.message}`, EXIT_UNAVAILABLE);
    throw e;
  }
  return { datastore: ds, owned: true };
}

/** Logs the datastore in use (info) and, when only defaults chose it while a lab is up, says so on stderr. */
async function noteDatastoreChoice(cfg: DatastoreConfig, configFlag: string | undefined): Promise<void> {
  const { chosenByDefault, describeDatastore, labDatastoreNote, labsUp } = await import('./datastore-choice.ts');
  const byDefault = chosenByDefault(configFlag);
  const { createLogger } = await import('../log.ts');
  // calicoctl's default level is panic: a command is silent unless -l (or TABBY_LOG_LEVEL) asks for more.
  createLogger('ctl', { level: process.env.TABBY_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'panic' }).info({ datastore: describeDatastore(cfg), chosenBy: byDefault ? 'default' : 'configuration' }, 'using datastore');
  if (!byDefault) return;
  const note = labDatastoreNote(cfg, await labsUp(), process.argv.slice(2));
  if (note) err(note);
}

/** Run `fn` with an open datastore and client; the datastore is closed afterwards (also on failure). */
export async function withDatastore<T>(cmd: Command, fn: (ctx: CtlContext) => Promise<T>, opts: { namespace?: string | undefined } = {}): Promise<T> {
  const { datastore, owned } = await openCommandDatastore(cmd);
  try {
    return await fn({ datastore, client: new ResourceClient(datastore, { defaultNamespace: opts.namespace }) });
  } finally {
    if (owned) {
      await datastore.close().catch(() => {});
      // The command is done with the datastore: nothing it started should keep the process alive afterwards
      // (an etcd client's reconnect back-off to a frozen member did, for minutes). main.ts exits when set.
      exitWhenDone.value = true;
    }
  }
}

