import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);
import {
  DatastoreError
} from "./chunk-QSLHBRLO.mjs";

// src/datastore/common.ts
import { randomUUID } from "node:crypto";

// src/api/kinds.ts
var KINDS = [
  { kind: "IPPool", plural: "ippools", namespaced: false, aliases: ["ippool", "ipp", "ipps", "pool", "pools"] },
  { kind: "Node", plural: "nodes", namespaced: false, aliases: ["node", "no", "nos"] },
  { kind: "BGPConfiguration", plural: "bgpconfigurations", namespaced: false, aliases: ["bgpconfiguration", "bgpconfig", "bgpconfigs", "bgpc"] },
  { kind: "BGPPeer", plural: "bgppeers", namespaced: false, aliases: ["bgppeer", "bgpp", "bgpps", "bp", "bps"] },
  { kind: "FelixConfiguration", plural: "felixconfigurations", namespaced: false, aliases: ["felixconfiguration", "felixconfig", "felixconfigs", "fc"] },
  { kind: "ClusterInformation", plural: "clusterinformations", namespaced: false, aliases: ["clusterinformation", "clusterinfo", "clusterinfos"] },
  { kind: "WorkloadEndpoint", plural: "workloadendpoints", namespaced: true, aliases: ["workloadendpoint", "wep", "weps"] },
  { kind: "HostEndpoint", plural: "hostendpoints", namespaced: false, aliases: ["hostendpoint", "hep", "heps"] },
  { kind: "Profile", plural: "profiles", namespaced: false, aliases: ["profile", "pro", "pros"] },
  { kind: "NetworkPolicy", plural: "networkpolicies", namespaced: true, aliases: ["networkpolicy", "np", "nps", "policy", "policies", "pol", "pols"] },
  { kind: "GlobalNetworkPolicy", plural: "globalnetworkpolicies", namespaced: false, aliases: ["globalnetworkpolicy", "gnp", "gnps"] },
  { kind: "NetworkSet", plural: "networksets", namespaced: true, aliases: ["networkset", "netset", "netsets"] },
  { kind: "GlobalNetworkSet", plural: "globalnetworksets", namespaced: false, aliases: ["globalnetworkset", "gnetset", "gnetsets"] },
  { kind: "Tier", plural: "tiers", namespaced: false, aliases: ["tier"] },
  { kind: "IPAMConfiguration", plural: "ipamconfigurations", namespaced: false, aliases: ["ipamconfiguration", "ipamconfig", "ipamconfigs"] },
  { kind: "IPAMBlock", plural: "ipamblocks", namespaced: false, aliases: ["ipamblock"], ipam: true },
  { kind: "BlockAffinity", plural: "blockaffinities", namespaced: false, aliases: ["blockaffinity"], ipam: true },
  { kind: "IPAMHandle", plural: "ipamhandles", namespaced: false, aliases: ["ipamhandle"], ipam: true }
];
var byKind = new Map(KINDS.map((k) => [k.kind, k]));
var byName = /* @__PURE__ */ new Map();
for (const k of KINDS) for (const n of [k.kind.toLowerCase(), k.plural, ...k.aliases]) byName.set(n, k);
function kindInfo(kind) {
  return byKind.get(kind);
}

// src/datastore/common.ts
function describeObject(kind, name, namespace) {
  return namespace ? `${kind} "${namespace}/${name}"` : `${kind} "${name}"`;
}
function requireKind(kind) {
  const info = kindInfo(kind);
  if (!info) throw new DatastoreError("Invalid", `unknown resource kind "${kind}"`);
  return info;
}
function checkWritable(obj) {
  if (!obj || typeof obj !== "object" || !obj.metadata || typeof obj.metadata !== "object") {
    throw new DatastoreError("Invalid", "object has no metadata");
  }
  const info = requireKind(obj.kind);
  const { name, namespace } = obj.metadata;
  checkName(info, name, namespace);
  if (info.namespaced && !namespace) {
    throw new DatastoreError("Invalid", `${describeObject(obj.kind, name)} is namespaced: metadata.namespace is required`);
  }
  if (!info.namespaced && namespace) {
    throw new DatastoreError("Invalid", `${obj.kind} is cluster-scoped: ${describeObject(obj.kind, name, namespace)} must not set metadata.namespace`);
  }
  return info;
}
function checkName(info, name, namespace) {
  if (typeof name !== "string" || name === "") throw new DatastoreError("Invalid", `${info.kind} needs a non-empty metadata.name`);
  if (name.includes("/")) throw new DatastoreError("Invalid", `${info.kind} name "${name}" must not contain "/"`);
  if (namespace !== void 0 && namespace.includes("/")) {
    throw new DatastoreError("Invalid", `namespace "${namespace}" must not contain "/"`);
  }
}
function effectiveNamespace(info, namespace) {
  return info.namespaced ? namespace || void 0 : void 0;
}
function nowTimestamp() {
  return (/* @__PURE__ */ new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
}
function stampCreate(obj) {
  const copy = structuredClone(obj);
  copy.metadata.uid ||= randomUUID();
  copy.metadata.creationTimestamp ||= nowTimestamp();
  return copy;
}
function carryIdentity(obj, stored) {
  const copy = structuredClone(obj);
  if (stored.metadata.uid !== void 0) copy.metadata.uid = stored.metadata.uid;
  if (stored.metadata.creationTimestamp !== void 0) copy.metadata.creationTimestamp = stored.metadata.creationTimestamp;
  return copy;
}
function notFound(kind, name, namespace) {
  return new DatastoreError("NotFound", `${describeObject(kind, name, namespace)} not found`);
}
function alreadyExists(kind, name, namespace) {
  return new DatastoreError("AlreadyExists", `${describeObject(kind, name, namespace)} already exists`);
}
function conflict(kind, name, namespace, have, store) {
  return new DatastoreError("Conflict", `${describeObject(kind, name, namespace)} was modified (have resourceVersion ${have}, store ${store})`);
}
function missingResourceVersion(kind, name, namespace) {
  return new DatastoreError("Invalid", `update of ${describeObject(kind, name, namespace)} needs metadata.resourceVersion`);
}

export {
  KINDS,
  requireKind,
  checkWritable,
  checkName,
  effectiveNamespace,
  stampCreate,
  carryIdentity,
  notFound,
  alreadyExists,
  conflict,
  missingResourceVersion
};
