// Which datastore a command reads, and why. calicoctl picks it from -c, the environment or its config file
// only, and so does `tabby`; but on a machine running a lab, the host's default store is not the lab's, and a
// `get` that prints an empty table (or an `apply` no node reads) looks like success. When nothing chose the
// datastore and a lab is up, the command says where it is looking and how to reach the lab's store.
// We do not switch to the lab's store on our own (say, following TABBY_LAB): what a command writes would
// then depend on an unrelated variable, and the same surprise would appear the other way round.
import { existsSync } from 'node:fs';
import { DEFAULT_CONFIG_FILES, type DatastoreConfig } from '../datastore/index.ts';

/** The variables that choose a datastore (as resolveDatastoreConfig reads them). */
const DATASTORE_ENV = ['DATASTORE_TYPE', 'ETCD_ENDPOINTS', 'TABBY_DATASTORE_PATH'];

/** True when neither -c, the environment nor a config file chose the datastore: the built-in default is used. */
export function chosenByDefault(configFlag: string | undefined, env: NodeJS.ProcessEnv = process.env, configFiles = DEFAULT_CONFIG_FILES): boolean {
  return !configFlag && !DATASTORE_ENV.some((k) => env[k]) && !configFiles.some((f) => existsSync(f));
}

export function describeDatastore(cfg: DatastoreConfig): string {
  return cfg.type === 'embedded' ? `embedded, ${cfg.path}` : `etcdv3, ${cfg.etcdEndpoints?.join(',')}`;
}

export interface UpLab { name: string; firstNode: string }

/** The labs that are up on this machine (their state says so). */
export async function labsUp(): Promise<UpLab[]> {
  const { listLabs, readState } = await import('../lab/state.ts');
  const up: UpLab[] = [];
  for (const name of listLabs()) {
    try {
      const s = readState(name);
      if (s?.phase === 'up' && s.nodes.length > 0) up.push({ name, firstNode: s.nodes[0]!.name });
    } catch { /* an unreadable lab is not one to point at */ }
  }
  return up;
}

const shellWord = (w: string) => (/^[\w./=:,@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** The note for a command that reads the default store while labs are up; undefined when there are none. */
export function labDatastoreNote(cfg: DatastoreConfig, labs: UpLab[], argv: string[]): string | undefined {
  if (labs.length === 0) return undefined;
  const lab = labs[0]!;
  const names = labs.map((l) => `"${l.name}"`).join(', ');
  const args = argv.length ? argv.map(shellWord).join(' ') : 'get nodes';
  const labOpt = lab.name === 'tabby' ? '' : ` --name ${lab.name}`;
  return `Note: this command uses the default datastore (${describeDatastore(cfg)}), not the one of lab ${names} running on this machine.\n` +
    `  To use the lab's datastore, run it on a lab node: tabby lab exec-node${labOpt} ${lab.firstNode} tabby ${args}\n`;
}
