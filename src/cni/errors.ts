// CNI errors as the spec prints them: {"cniVersion", "code", "msg", "details"} on stdout, exit status 1.
// Codes 1-99 are the spec's; 100+ are ours (Calico uses 100 for "data store connection failed").
import { TabbyError } from '../errors.ts';

export const CNI_ERR = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnv: 4,
  ioFailure: 5,
  decodeFailure: 6,
  invalidNetworkConfig: 7,
  tryAgainLater: 11,
  /** STATUS: the plugin cannot service ADD requests. */
  pluginNotAvailable: 50,
  datastoreConnection: 100,
  /** CHECK found the attachment different from what ADD made. */
  checkFailed: 101,
  /** ADD: CNI_IFNAME already exists in the container (the spec's MUST-fail case; no well-known code). */
  interfaceExists: 102,
  internal: 999,
} as const;

export class CniError extends TabbyError<number> {
  constructor(override readonly code: number, msg: string, readonly details?: string) {
    super(code, msg);
    this.name = 'CniError';
  }

  toJSON(cniVersion?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (cniVersion) out.cniVersion = cniVersion;
    out.code = this.code;
    out.msg = this.message;
    if (this.details) out.details = this.details;
    return out;
  }
}

export function asCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  const code = (e as { code?: unknown })?.code;
  // Datastore unreachable → the runtime should retry later (spec code 11).
  if (code === 'Unavailable') return new CniError(CNI_ERR.tryAgainLater, 'datastore unavailable, try again later', String((e as Error).message));
  return new CniError(CNI_ERR.internal, e instanceof Error ? e.message : String(e));
}
