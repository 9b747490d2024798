// Small shared pieces of the executables.
import type { OpenBackend } from './backend.ts';
import { CNI_ERR, CniError } from './errors.ts';
import { datastoreSelection, parseNetConf } from './netconf.ts';

export { TABBY_VERSION } from '../version.ts';

/** Calico's `calico -t`: can the netconf's datastore be reached and is it ready? (install-cni runs this.) */
export async function testConnection(stdin: string, openBackend: OpenBackend): Promise<{ stdout: string; exitCode: number }> {
  try {
    const conf = parseNetConf(stdin);
    const be = await openBackend(datastoreSelection(conf));
    try {
      await be.ds.revision();
      const ci = await be.ds.get('ClusterInformation', 'default');
      if ((ci?.spec as { datastoreReady?: boolean } | undefined)?.datastoreReady === false) throw new Error('datastore is not ready');
    } finally { await be.close(); }
    return { stdout: '', exitCode: 0 };
  } catch (e) {
    const err = new CniError(CNI_ERR.datastoreConnection, 'data store connection failed', (e as Error).message);
    return { stdout: JSON.stringify(err.toJSON()), exitCode: 1 };
  }
}
