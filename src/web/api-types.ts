// The shapes the page reads from the server's JSON (/api/pod, /api/matrix): types only, shared by the server
// (policy-view.ts) and the page (page/*.ts).
import type { WorkloadEndpoint } from '../policy/model.ts';
import type { PolicyDecision } from '../policy/walk.ts';

export interface AppliedPolicy {
  tier: string;
  /** The tier's order (undefined: unset, last). */
  tierOrder?: number;
  kind: 'NetworkPolicy' | 'GlobalNetworkPolicy';
  namespace?: string;
  name: string;
  order?: number;
  /** How many rules it has in this direction. */
  rules: number;
}

export interface PodDetails {
  endpoint: WorkloadEndpoint;
  node: string;
  iface: string;
  ips: string[];
  /** The labels policy selectors see: the pod's own and those its profiles apply. */
  labels: Record<string, string>;
  profiles: string[];
  ingress: AppliedPolicy[];
  egress: AppliedPolicy[];
  /** What the calculation could not use (bad selectors, missing profiles, …), as the agent would log it. */
  problems: string[];
}

export interface MatrixPacket { protocol: 'tcp' | 'udp' | 'icmp'; port?: number }

export interface MatrixCell {
  from: string;
  to: string;
  verdict: 'allow' | 'deny';
  /** Where it was decided: the source's egress or the destination's ingress. */
  at?: 'egress' | 'ingress';
  decision?: PolicyDecision;
}

export interface Matrix {
  namespace: string;
  packet: MatrixPacket;
  /** Pod names (rows are sources, columns destinations). */
  pods: string[];
  cells: MatrixCell[];
}

