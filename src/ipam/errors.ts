// The IPAM error: a stable code (what callers branch on) and a message naming what could not be done.
export type IpamErrorCode = 'PoolsExhausted' | 'NoPools' | 'InvalidRequest' | 'AlreadyAllocated' | 'NotInPool' | 'TooManyRetries';

export class IpamError extends Error {
  constructor(readonly code: IpamErrorCode, message: string) {
    super(message);
    this.name = 'IpamError';
  }
}
