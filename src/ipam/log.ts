// One logger for every part of the allocator.
import { createLogger } from '../log.ts';

export const log = createLogger('ipam');
