// The IPAM error: a stable code (what callers branch on) and a message naming what could not be done.
import { TabbyError } from '../errors.ts';

export type IpamErrorCode = 'PoolsExhausted' | 'NoPools' | 'InvalidRequest' | 'AlreadyAllocated' | 'NotInPool' | 'TooManyRetries';

export class IpamError extends TabbyError<IpamErrorCode> {
  constructor(override readonly code: IpamErrorCode, message: string) {
    super(code, message);
    this.name = 'IpamError';
  }
}
