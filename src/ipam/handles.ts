// Handle bookkeeping: an IPAMHandle counts, per block, the addresses it holds. The count is raised before
// the block write (as Calico does) and lowered only when that write is known to have lost its compare-and-
// swap — Calico lowers it on any error, but a timed-out write may still commit — so a crash or a timeout
// leaves at worst a count too high (release by handle corrects it), never an allocation without a handle.
import type { Resource } from '../api/resource.ts';
import type { Datastore } from '../datastore/types.ts';
import { isConflict, MAX_CAS_RETRIES, tooManyRetries } from './cas.ts';
import { KIND_HANDLE, makeResource, type IPAMHandleSpec } from './model.ts';

/** Add `delta` to the handle's count for a block (creating / deleting the handle as needed). */
export async function changeHandle(ds: Datastore, handleId: string, cidr: string, delta: number, createFirst = false): Promise<void> {
  for (let i = 0; i < MAX_CAS_RETRIES; i++) {
    // createFirst: a new pod's handle doesn't exist yet, so try creating it before reading (one round trip
    // instead of two); AlreadyExists falls through to read-modify-write.
    const h = (i === 0 && createFirst && delta > 0 ? undefined : await ds.get(KIND_HANDLE, handleId)) as Resource<IPAMHandleSpec> | undefined;
    try {
      if (!h) {
        if (delta <= 0) return;
        await ds.create(makeResource<IPAMHandleSpec>(KIND_HANDLE, handleId, { handleID: handleId, block: { [cidr]: delta }, deleted: false }));
        return;
      }
      await writeCount(ds, h, cidr, (h.spec!.block[cidr] ?? 0) + delta);
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
  throw tooManyRetries(`IPAMHandle ${handleId}`);
}

/** Set the handle's count for a block to what the block really holds for it (after a release). */
export async function setHandleCount(ds: Datastore, handleId: string, cidr: string, count: number, prefetched?: Resource): Promise<void> {
  for (let i = 0; i < MAX_CAS_RETRIES; i++) {
    // A prefetched copy saves a round trip; if it is stale the CAS fails and we re-read.
    const h = (i === 0 && prefetched ? prefetched : await ds.get(KIND_HANDLE, handleId)) as Resource<IPAMHandleSpec> | undefined;
    if (!h) return;
    try {
      await writeCount(ds, h, cidr, count);
      return;
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
  throw tooManyRetries(`IPAMHandle ${handleId}`);
}

/** Compare-and-swap the handle with its count for one block set to `count` (deleted when nothing is left). */
async function writeCount(ds: Datastore, h: Resource<IPAMHandleSpec>, cidr: string, count: number): Promise<void> {
  const block = { ...h.spec!.block };
  if (count > 0) block[cidr] = count;
  else delete block[cidr];
  if (Object.keys(block).length === 0) await ds.delete(KIND_HANDLE, h.metadata.name, undefined, h.metadata.resourceVersion);
  else await ds.update({ ...h, spec: { ...h.spec!, block } });
}
