// The suite's scenarios, in the order a run takes them.
import type { Scenario } from './common.ts';
import { bgpFlaps } from './bgp-flaps.ts';
import { churn } from './churn.ts';
import { etcdLeader } from './etcd-leader.ts';
import { agentKill, etcdOutage } from './lab-faults.ts';
import { malformed } from './malformed.ts';
import { writers } from './writers.ts';

export const SCENARIOS: Scenario[] = [churn, etcdOutage, etcdLeader, agentKill, bgpFlaps, writers, malformed];
