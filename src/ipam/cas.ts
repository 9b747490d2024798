// Writing under contention: every allocator write is a compare-and-swap on resourceVersion (or a create /
// delete whose AlreadyExists / NotFound decides a race); a lost one is re-read and retried, up to a limit.
import { isDatastoreError } from '../datastore/types.ts';
import { IpamError } from './errors.ts';

/** Calico retries a conflicting write up to 100 times. */
export const MAX_CAS_RETRIES = 100;

/** Process-wide counters (for metrics and benchmarks). */
export const ipamStats = { casConflicts: 0, blocksClaimed: 0, blocksReclaimed: 0, addressesBorrowed: 0 };

/** A lost compare-and-swap (or create/delete race): the caller re-reads and retries. */
export function isConflict(e: unknown): boolean {
  const lost = isDatastoreError(e, 'Conflict') || isDatastoreError(e, 'AlreadyExists') || isDatastoreError(e, 'NotFound');
  if (lost) ipamStats.casConflicts++;
  return lost;
}

export function ignoreConflict(e: unknown): void {
  if (!isConflict(e)) throw e;
}

export function tooManyRetries(what: string): IpamError {
  return new IpamError('TooManyRetries', `gave up writing ${what} after ${MAX_CAS_RETRIES} conflicting updates`);
}
