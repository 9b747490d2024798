// A small CRI client: the part of kubelet that asks a container runtime (containerd's CRI plugin) for pod
// sandboxes over gRPC on a unix socket. The messages are a subset of the CRI v1 API
// (k8s.io/cri-api pkg/apis/runtime/v1/api.proto, package runtime.v1) with the upstream field numbers; fields
// this client never sends or reads are left out, which protobuf allows (unknown fields are skipped).
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { TabbyError } from '../errors.ts';

const CRI_PROTO = `
syntax = "proto3";
package runtime.v1;

message VersionRequest { string version = 1; }
message VersionResponse { string version = 1; string runtime_name = 2; string runtime_version = 3; string runtime_api_version = 4; }

enum NamespaceMode { POD = 0; CONTAINER = 1; NODE = 2; TARGET = 3; }
message NamespaceOption { NamespaceMode network = 1; NamespaceMode pid = 2; NamespaceMode ipc = 3; string target_id = 4; }
message LinuxSandboxSecurityContext { NamespaceOption namespace_options = 1; bool privileged = 6; }
message LinuxPodSandboxConfig { string cgroup_parent = 1; LinuxSandboxSecurityContext security_context = 2; map<string, string> sysctls = 3; }
message PodSandboxMetadata { string name = 1; string uid = 2; string namespace = 3; uint32 attempt = 4; }
message PodSandboxConfig {
  PodSandboxMetadata metadata = 1; string hostname = 2; string log_directory = 3;
  map<string, string> labels = 6; map<string, string> annotations = 7; LinuxPodSandboxConfig linux = 8;
}
message RunPodSandboxRequest { PodSandboxConfig config = 1; string runtime_handler = 2; }
message RunPodSandboxResponse { string pod_sandbox_id = 1; }
message StopPodSandboxRequest { string pod_sandbox_id = 1; }
message StopPodSandboxResponse {}
message RemovePodSandboxRequest { string pod_sandbox_id = 1; }
message RemovePodSandboxResponse {}
message PodSandboxStatusRequest { string pod_sandbox_id = 1; bool verbose = 2; }
message PodIP { string ip = 1; }
message PodSandboxNetworkStatus { string ip = 1; repeated PodIP additional_ips = 2; }
enum PodSandboxState { SANDBOX_READY = 0; SANDBOX_NOTREADY = 1; }
message PodSandboxStatus {
  string id = 1; PodSandboxMetadata metadata = 2; PodSandboxState state = 3; int64 created_at = 4;
  PodSandboxNetworkStatus network = 5; map<string, string> labels = 7; map<string, string> annotations = 8; string runtime_handler = 9;
}
message PodSandboxStatusResponse { PodSandboxStatus status = 1; map<string, string> info = 2; }
message PodSandboxStateValue { PodSandboxState state = 1; }
message PodSandboxFilter { string id = 1; PodSandboxStateValue state = 2; map<string, string> label_selector = 3; }
message ListPodSandboxRequest { PodSandboxFilter filter = 1; }
message PodSandbox {
  string id = 1; PodSandboxMetadata metadata = 2; PodSandboxState state = 3; int64 created_at = 4;
  map<string, string> labels = 5; map<string, string> annotations = 6; string runtime_handler = 7;
}
message ListPodSandboxResponse { repeated PodSandbox items = 1; }
`;

const root = protobuf.parse(CRI_PROTO, { keepCase: true }).root;
const SERVICE = '/runtime.v1.RuntimeService';

export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  log_directory?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: {
    cgroup_parent?: string;
    security_context?: { namespace_options?: { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode }; privileged?: boolean };
    sysctls?: Record<string, string>;
  };
}

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface VersionResponse { version: string; runtime_name: string; runtime_version: string; runtime_api_version: string }

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  created_at: string;
  network?: { ip: string; additional_ips: { ip: string }[] };
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxStatusResponse { status: PodSandboxStatus; info: Record<string, string> }

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  created_at: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A CRI call failed: the gRPC status code (e.g. 5 NOT_FOUND, 4 DEADLINE_EXCEEDED) and the runtime's message. */
export class CriError extends TabbyError {
  constructor(readonly method: string, readonly grpcCode: number | undefined, message: string) {
    super('CriCallFailed', `CRI ${method} failed${grpcCode !== undefined ? ` (${grpc.status[grpcCode] ?? grpcCode})` : ''}: ${message}`);
    this.name = 'CriError';
  }
}

export class CriClient {
  private readonly client: grpc.Client;

  /** `socket` is the runtime's unix socket path (containerd's grpc.address). */
  constructor(readonly socket: string, private readonly timeoutMs = 60_000) {
    this.client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure());
  }

  close(): void {
    this.client.close();
  }

  /** Kubelet asks with its runtime API version string, "0.1.0" (kuberuntime's kubeRuntimeAPIVersion). */
  version(): Promise<VersionResponse> {
    return this.call('Version', { version: '0.1.0' });
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    const r = await this.call<{ pod_sandbox_id: string }>('RunPodSandbox', { config, runtime_handler: runtimeHandler });
    return r.pod_sandbox_id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.call('StopPodSandbox', { pod_sandbox_id: id });
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.call('RemovePodSandbox', { pod_sandbox_id: id });
  }

  podSandboxStatus(id: string, verbose = false): Promise<PodSandboxStatusResponse> {
    return this.call('PodSandboxStatus', { pod_sandbox_id: id, verbose });
  }

  async listPodSandbox(filter: { id?: string; state?: PodSandboxState; label_selector?: Record<string, string> } = {}): Promise<PodSandbox[]> {
    const f: Record<string, unknown> = { ...filter };
    if (filter.state) f.state = { state: filter.state };
    const r = await this.call<{ items: PodSandbox[] }>('ListPodSandbox', { filter: f });
    return r.items;
  }

  private call<T>(method: string, request: object, timeoutMs = this.timeoutMs): Promise<T> {
    const reqType = root.lookupType(`runtime.v1.${method}Request`);
    const resType = root.lookupType(`runtime.v1.${method}Response`);
    let encoded: Buffer;
    try {
      encoded = Buffer.from(reqType.encode(reqType.fromObject(request)).finish());
    } catch (e: any) {
      return Promise.reject(new CriError(method, undefined, `bad request: ${e.message}`));
    }
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `${SERVICE}/${method}`,
        (buf: Buffer) => buf,
        (buf: Buffer) => resType.toObject(resType.decode(buf), { longs: String, enums: String, defaults: true, arrays: true, objects: true }),
        encoded,
        new grpc.Metadata(),
        { deadline: new Date(Date.now() + timeoutMs) },
        (err, value) => {
          if (err) reject(new CriError(method, err.code, err.details || err.message));
          else resolve(value as T);
        },
      );
    });
  }
}

/** True when the error says the sandbox does not exist (gRPC NOT_FOUND): what idempotent stop/remove accept. */
export function isNotFound(e: unknown): boolean {
  return e instanceof CriError && e.grpcCode === grpc.status.NOT_FOUND;
}
