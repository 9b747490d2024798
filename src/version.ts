// Tabby's version, defined once: package.json's, bundled into every executable at build time.
import pkg from '../package.json' with { type: 'json' };

export const TABBY_VERSION: string = pkg.version;

/** What a node writes as ClusterInformation.calicoVersion: the Calico release Tabby matches, marked as Tabby. */
export const TABBY_CALICO_VERSION = 'v3.30.0-tabby';
