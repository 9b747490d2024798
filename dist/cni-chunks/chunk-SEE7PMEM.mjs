import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);
import {
  API_VERSION
} from "./chunk-TO6PQJKH.mjs";
import {
  __export
} from "./chunk-ORRNK5GL.mjs";

// src/ipam/model.ts
import { createHash } from "node:crypto";

// src/selector/ast.ts
function get(labels, key) {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : void 0;
}
function evaluateNode(node, labels) {
  switch (node.type) {
    case "all":
      return true;
    case "global":
      return true;
    case "has":
      return get(labels, node.label) !== void 0;
    case "eq":
      return get(labels, node.label) === node.value;
    case "ne":
      return get(labels, node.label) !== node.value;
    // true when absent
    case "in": {
      const v = get(labels, node.label);
      return v !== void 0 && node.values.includes(v);
    }
    case "notIn": {
      const v = get(labels, node.label);
      return v === void 0 || !node.values.includes(v);
    }
    case "contains": {
      const v = get(labels, node.label);
      return v !== void 0 && v.includes(node.value);
    }
    case "startsWith": {
      const v = get(labels, node.label);
      return v !== void 0 && v.startsWith(node.value);
    }
    case "endsWith": {
      const v = get(labels, node.label);
      return v !== void 0 && v.endsWith(node.value);
    }
    case "not":
      return !evaluateNode(node.operand, labels);
    case "and":
      for (const o of node.operands) if (!evaluateNode(o, labels)) return false;
      return true;
    case "or":
      for (const o of node.operands) if (evaluateNode(o, labels)) return true;
      return false;
  }
}
function quote(value) {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}
function printNode(node) {
  switch (node.type) {
    case "all":
      return "all()";
    case "global":
      return "global()";
    case "has":
      return `has(${node.label})`;
    case "eq":
      return `${node.label} == ${quote(node.value)}`;
    case "ne":
      return `${node.label} != ${quote(node.value)}`;
    case "in":
      return `${node.label} in {${node.values.map(quote).join(", ")}}`;
    case "notIn":
      return `${node.label} not in {${node.values.map(quote).join(", ")}}`;
    case "contains":
      return `${node.label} contains ${quote(node.value)}`;
    case "startsWith":
      return `${node.label} starts with ${quote(node.value)}`;
    case "endsWith":
      return `${node.label} ends with ${quote(node.value)}`;
    case "not":
      return `!${printNode(node.operand)}`;
    case "and":
      return `(${node.operands.map(printNode).join(" && ")})`;
    case "or":
      return `(${node.operands.map(printNode).join(" || ")})`;
  }
}
function collectLabelKeys(node, out) {
  switch (node.type) {
    case "all":
    case "global":
      return;
    case "not":
      collectLabelKeys(node.operand, out);
      return;
    case "and":
    case "or":
      for (const o of node.operands) collectLabelKeys(o, out);
      return;
    default:
      out.add(node.label);
  }
}
function containsGlobal(node) {
  switch (node.type) {
    case "global":
      return true;
    case "not":
      return containsGlobal(node.operand);
    case "and":
    case "or":
      return node.operands.some(containsGlobal);
    default:
      return false;
  }
}

// src/selector/parser.ts
var SelectorSyntaxError = class extends Error {
  constructor(reason, position, selector) {
    super(`invalid selector ${JSON.stringify(selector)}: ${reason} at position ${position}
  ${selector}
  ${" ".repeat(position)}^`);
    this.reason = reason;
    this.position = position;
    this.selector = selector;
    this.name = "SelectorSyntaxError";
  }
  reason;
  position;
  selector;
};
var MAX_LABEL_LENGTH = 512;
var LABEL_RE = /^[a-zA-Z0-9_./-]+/;
var HAS_RE = /^has\(\s*([a-zA-Z0-9_./-]+)\s*\)/;
var ALL_RE = /^all\(\s*\)/;
var GLOBAL_RE = /^global\(\s*\)/;
var AFTER_LABEL = [
  [/^not\s+in(?![a-zA-Z0-9_./-])/, "notIn"],
  [/^in(?![a-zA-Z0-9_./-])/, "in"],
  [/^contains(?![a-zA-Z0-9_./-])/, "contains"],
  [/^starts\s+with(?![a-zA-Z0-9_./-])/, "startsWith"],
  [/^ends\s+with(?![a-zA-Z0-9_./-])/, "endsWith"]
];
var PUNCT = [
  ["!=", "ne"],
  ["==", "eq"],
  ["&&", "and"],
  ["||", "or"],
  ["!", "not"],
  ["(", "lparen"],
  [")", "rparen"],
  ["{", "lbrace"],
  ["}", "rbrace"],
  [",", "comma"]
];
function tokenize(input) {
  const toks = [];
  let i = 0;
  while (true) {
    while (i < input.length && /\s/.test(input[i])) i++;
    if (i >= input.length) {
      toks.push({ kind: "eof", value: "", pos: i });
      return toks;
    }
    const rest = input.slice(i);
    const prev = toks[toks.length - 1];
    let m;
    if (prev?.kind === "label") {
      let matched = false;
      for (const [re, kind] of AFTER_LABEL) {
        if (m = re.exec(rest)) {
          toks.push({ kind, value: m[0], pos: i });
          i += m[0].length;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    if (m = HAS_RE.exec(rest)) {
      checkLabelLength(m[1], i + m[0].indexOf(m[1]), input);
      toks.push({ kind: "has", value: m[1], pos: i });
      i += m[0].length;
      continue;
    }
    if (m = ALL_RE.exec(rest)) {
      toks.push({ kind: "all", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (m = GLOBAL_RE.exec(rest)) {
      toks.push({ kind: "global", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const punct = PUNCT.find(([p]) => rest.startsWith(p));
    if (punct) {
      toks.push({ kind: punct[1], value: punct[0], pos: i });
      i += punct[0].length;
      continue;
    }
    const c = input[i];
    if (c === '"' || c === "'") {
      const end = input.indexOf(c, i + 1);
      if (end < 0) throw new SelectorSyntaxError(`unterminated string literal (missing closing ${c})`, i, input);
      toks.push({ kind: "string", value: input.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    if (m = LABEL_RE.exec(rest)) {
      checkLabelLength(m[0], i, input);
      toks.push({ kind: "label", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    throw new SelectorSyntaxError(`unexpected character ${JSON.stringify(c)}`, i, input);
  }
}
function checkLabelLength(label, pos, input) {
  if (label.length > MAX_LABEL_LENGTH) {
    throw new SelectorSyntaxError(`label name longer than ${MAX_LABEL_LENGTH} characters`, pos, input);
  }
}
var DESCRIBE = {
  label: "label",
  string: "string literal",
  eq: "'=='",
  ne: "'!='",
  in: "'in'",
  notIn: "'not in'",
  contains: "'contains'",
  startsWith: "'starts with'",
  endsWith: "'ends with'",
  has: "has()",
  all: "all()",
  global: "global()",
  not: "'!'",
  and: "'&&'",
  or: "'||'",
  lparen: "'('",
  rparen: "')'",
  lbrace: "'{'",
  rbrace: "'}'",
  comma: "','",
  eof: "end of selector"
};
function describe(t) {
  if (t.kind === "label") return `label ${JSON.stringify(t.value)}`;
  if (t.kind === "string") return `string ${JSON.stringify(t.value)}`;
  return DESCRIBE[t.kind];
}
var Parser = class {
  constructor(toks, input) {
    this.toks = toks;
    this.input = input;
  }
  toks;
  input;
  i = 0;
  peek() {
    return this.toks[this.i];
  }
  next() {
    return this.toks[this.i++];
  }
  fail(t, expected) {
    throw new SelectorSyntaxError(`expected ${expected}, found ${describe(t)}`, t.pos, this.input);
  }
  expect(kind) {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, DESCRIBE[kind]);
    return t;
  }
  parseAll() {
    if (this.peek().kind === "eof") return { type: "all" };
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== "eof") this.fail(t, "'&&', '||' or end of selector");
    return node;
  }
  parseOr() {
    const operands = [this.parseAnd()];
    while (this.peek().kind === "or") {
      this.next();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { type: "or", operands };
  }
  parseAnd() {
    const operands = [this.parseUnary()];
    while (this.peek().kind === "and") {
      this.next();
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? operands[0] : { type: "and", operands };
  }
  parseUnary() {
    const t = this.next();
    switch (t.kind) {
      case "not": {
        const operand = this.parseUnary();
        return operand.type === "not" ? operand.operand : { type: "not", operand };
      }
      case "lparen": {
        const inner = this.parseOr();
        this.expect("rparen");
        return inner;
      }
      case "all":
        return { type: "all" };
      case "global":
        return { type: "global" };
      case "has":
        return { type: "has", label: t.value };
      case "label":
        return this.parseOperation(t.value);
      default:
        this.fail(t, "a label, has(), all(), global(), '!' or '('");
    }
  }
  parseOperation(label) {
    const op = this.next();
    switch (op.kind) {
      case "eq":
        return { type: "eq", label, value: this.expectString() };
      case "ne":
        return { type: "ne", label, value: this.expectString() };
      case "contains":
        return { type: "contains", label, value: this.expectString() };
      case "startsWith":
        return { type: "startsWith", label, value: this.expectString() };
      case "endsWith":
        return { type: "endsWith", label, value: this.expectString() };
      case "in":
        return { type: "in", label, values: this.parseSet() };
      case "notIn":
        return { type: "notIn", label, values: this.parseSet() };
      default:
        this.fail(op, `an operator after label ${JSON.stringify(label)} ('==', '!=', 'in', 'not in', 'contains', 'starts with', 'ends with')`);
    }
  }
  expectString() {
    const t = this.next();
    if (t.kind !== "string") this.fail(t, "a quoted string");
    return t.value;
  }
  parseSet() {
    this.expect("lbrace");
    const values = /* @__PURE__ */ new Set();
    if (this.peek().kind === "rbrace") {
      this.next();
      return [];
    }
    while (true) {
      values.add(this.expectString());
      const t = this.next();
      if (t.kind === "rbrace") break;
      if (t.kind !== "comma") this.fail(t, "',' or '}'");
    }
    return [...values].sort();
  }
};
function parseNode(input) {
  return new Parser(tokenize(input), input).parseAll();
}

// src/selector/index.ts
var ParsedSelector = class {
  constructor(ast) {
    this.ast = ast;
    this.usesGlobal = containsGlobal(ast);
    this.canonical = printNode(ast);
    const keys = /* @__PURE__ */ new Set();
    collectLabelKeys(ast, keys);
    this.keys = [...keys].sort();
  }
  ast;
  usesGlobal;
  canonical;
  keys;
  evaluate(labels) {
    return evaluateNode(this.ast, labels);
  }
  toString() {
    return this.canonical;
  }
  labelKeys() {
    return [...this.keys];
  }
};
var LruCache = class {
  constructor(capacity) {
    this.capacity = capacity;
  }
  capacity;
  map = /* @__PURE__ */ new Map();
  get(k) {
    const v = this.map.get(k);
    if (v !== void 0) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k, v) {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value);
  }
  get size() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
};
var cache = new LruCache(1024);
function parseSelector(expr) {
  const hit = cache.get(expr);
  if (hit) return hit;
  const sel = new ParsedSelector(parseNode(expr));
  cache.set(expr, sel);
  return sel;
}

// src/ipam/ip.ts
var ip_exports = {};
__export(ip_exports, {
  blockFor: () => blockFor,
  cidrContains: () => cidrContains,
  cidrCovers: () => cidrCovers,
  cidrSize: () => cidrSize,
  cidrsOverlap: () => cidrsOverlap,
  compareIPv4: () => compareIPv4,
  encodeCidrName: () => encodeCidrName,
  formatCidr4: () => formatCidr4,
  formatIPv4: () => formatIPv4,
  isIPv4: () => isIPv4,
  maskOf: () => maskOf,
  parseCidr4: () => parseCidr4,
  parseIPv4: () => parseIPv4
});
function parseIPv4(s) {
  const parts = s.split(".");
  if (parts.length !== 4) throw new Error(`invalid IPv4 address ${JSON.stringify(s)}`);
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`invalid IPv4 address ${JSON.stringify(s)}`);
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}
function isIPv4(s) {
  try {
    parseIPv4(s);
    return true;
  } catch {
    return false;
  }
}
function formatIPv4(v) {
  v = v >>> 0;
  return `${v >>> 24}.${v >>> 16 & 255}.${v >>> 8 & 255}.${v & 255}`;
}
function maskOf(prefix) {
  return prefix === 0 ? 0 : 4294967295 << 32 - prefix >>> 0;
}
function parseCidr4(s, strict = false) {
  const slash = s.indexOf("/");
  if (slash < 0) throw new Error(`invalid CIDR ${JSON.stringify(s)}: missing /prefix`);
  const addr = parseIPv4(s.slice(0, slash));
  const ps = s.slice(slash + 1);
  if (!/^\d{1,2}$/.test(ps) || Number(ps) > 32) throw new Error(`invalid CIDR ${JSON.stringify(s)}: bad prefix length`);
  const prefix = Number(ps);
  const base = (addr & maskOf(prefix)) >>> 0;
  if (strict && base !== addr) throw new Error(`invalid CIDR ${JSON.stringify(s)}: host bits set (did you mean ${formatIPv4(base)}/${prefix}?)`);
  return { base, prefix };
}
function formatCidr4(c) {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}
function cidrSize(c) {
  return 2 ** (32 - c.prefix);
}
function cidrContains(c, ip) {
  return (ip & maskOf(c.prefix)) >>> 0 === c.base;
}
function cidrCovers(outer, inner) {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.base);
}
function cidrsOverlap(a, b) {
  return cidrContains(a, b.base) || cidrContains(b, a.base);
}
function blockFor(ip, blockSize) {
  return { base: (ip & maskOf(blockSize)) >>> 0, prefix: blockSize };
}
function encodeCidrName(cidr) {
  return cidr.replace(/[.:/]/g, "-");
}
function compareIPv4(a, b) {
  const pa = parseIPv4(a.split("/")[0]);
  const pb = parseIPv4(b.split("/")[0]);
  return pa - pb || Number(a.split("/")[1] ?? 32) - Number(b.split("/")[1] ?? 32);
}

// src/ipam/model.ts
var KIND_BLOCK = "IPAMBlock";
var KIND_AFFINITY = "BlockAffinity";
var KIND_HANDLE = "IPAMHandle";
var KIND_CONFIG = "IPAMConfiguration";
var KIND_POOL = "IPPool";
var KIND_NODE = "Node";
var CONFIG_NAME = "default";
var EMPTY_BLOCK_MIN_RECLAIM_AGE_MS = 6e4;
var DEFAULT_MAX_BLOCKS_PER_HOST = 20;
var DEFAULT_IPAM_CONFIG = { strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0 };
function effectiveMaxBlocks(cfg) {
  return cfg.maxBlocksPerHost > 0 ? cfg.maxBlocksPerHost : DEFAULT_MAX_BLOCKS_PER_HOST;
}
function configFromResource(res) {
  const s = res?.spec ?? {};
  return {
    strictAffinity: s.strictAffinity ?? DEFAULT_IPAM_CONFIG.strictAffinity,
    autoAllocateBlocks: s.autoAllocateBlocks ?? DEFAULT_IPAM_CONFIG.autoAllocateBlocks,
    maxBlocksPerHost: s.maxBlocksPerHost ?? DEFAULT_IPAM_CONFIG.maxBlocksPerHost
  };
}
function poolFromResource(res) {
  const s = res.spec ?? {};
  const name = res.metadata.name;
  if (typeof s.cidr !== "string") throw new Error(`IPPool ${name}: spec.cidr is missing`);
  if (s.cidr.includes(":")) throw new Error(`IPPool ${name}: IPv6 pools are not supported by this IPAM yet (${s.cidr})`);
  const net = parseCidr4(s.cidr);
  const blockSize = s.blockSize ?? 26;
  if (!Number.isInteger(blockSize) || blockSize < 20 || blockSize > 32) {
    throw new Error(`IPPool ${name}: blockSize ${blockSize} is out of range 20-32`);
  }
  if (blockSize < net.prefix) throw new Error(`IPPool ${name}: blockSize /${blockSize} is larger than the pool ${s.cidr}`);
  let nodeSelector;
  try {
    nodeSelector = parseSelector(s.nodeSelector ?? "");
  } catch (e) {
    throw new Error(`IPPool ${name}: bad nodeSelector: ${e.message}`);
  }
  return {
    name,
    cidr: formatCidr4(net),
    net,
    blockSize,
    nodeSelector,
    disabled: s.disabled === true,
    allowedUses: Array.isArray(s.allowedUses) && s.allowedUses.length ? s.allowedUses : ["Workload", "Tunnel"],
    ipipMode: s.ipipMode ?? "Never",
    vxlanMode: s.vxlanMode ?? "Never"
  };
}
function isIPv6Pool(res) {
  const cidr = res.spec?.cidr;
  return typeof cidr === "string" && cidr.includes(":");
}
function poolAllows(pool, use) {
  return pool.allowedUses.includes(use);
}
function blockName(cidr) {
  return encodeCidrName(cidr);
}
function affinityName(node, cidr) {
  const name = `${node}-${encodeCidrName(cidr)}`;
  if (name.length <= 253) return name;
  const h = createHash("sha256").update(name).digest("hex").slice(0, 16);
  return `${name.slice(0, 253 - 17)}-${h}`;
}
function hostAffinity(node) {
  return `host:${node}`;
}
function affinityNode(affinity) {
  return affinity?.startsWith("host:") ? affinity.slice(5) : void 0;
}
function makeResource(kind, name, spec) {
  return { apiVersion: API_VERSION, kind, metadata: { name }, spec };
}
function newBlockSpec(cidr, node, now) {
  const n = cidrSize(cidr);
  return {
    cidr: formatCidr4(cidr),
    ...node !== void 0 ? { affinity: hostAffinity(node), affinityClaimTime: now.toISOString() } : {},
    strictAffinity: false,
    allocations: new Array(n).fill(null),
    unallocated: Array.from({ length: n }, (_, i) => i),
    attributes: [],
    deleted: false,
    sequenceNumber: 0,
    sequenceNumberForAllocation: {}
  };
}
function blockNet(spec) {
  return parseCidr4(spec.cidr);
}
function ordinalToIP(spec, ord) {
  return formatIPv4(blockNet(spec).base + ord);
}
function inUseCount(spec) {
  return spec.allocations.length - spec.unallocated.length;
}
function freeCount(spec) {
  return spec.unallocated.length;
}
function secondaryOf(attrs) {
  if (!attrs) return void 0;
  const out = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v === "string") out[k] = v;
  return Object.keys(out).length ? out : void 0;
}
function sameSecondary(a, b) {
  const ka = Object.keys(a ?? {}).sort();
  const kb = Object.keys(b ?? {}).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
function findOrAddAttribute(spec, handleId, attrs) {
  const secondary = secondaryOf(attrs);
  const idx = spec.attributes.findIndex((a) => a.handle_id === handleId && !a.releasedAt && sameSecondary(a.secondary, secondary));
  if (idx >= 0) return idx;
  spec.attributes.push({ handle_id: handleId, ...secondary ? { secondary } : {} });
  return spec.attributes.length - 1;
}
function assignOrdinals(spec, num, handleId, attrs) {
  const take = Math.min(num, spec.unallocated.length);
  if (take <= 0) return [];
  const ords = spec.unallocated.splice(0, take);
  const attrIdx = findOrAddAttribute(spec, handleId, attrs);
  for (const o of ords) {
    spec.allocations[o] = attrIdx;
    spec.sequenceNumberForAllocation[String(o)] = spec.sequenceNumber;
  }
  spec.sequenceNumber++;
  return ords;
}
function assignOrdinal(spec, ord, handleId, attrs) {
  if (ord < 0 || ord >= spec.allocations.length) throw new Error(`ordinal ${ord} outside block ${spec.cidr}`);
  if (spec.allocations[ord] !== null) return false;
  const pos = spec.unallocated.indexOf(ord);
  if (pos >= 0) spec.unallocated.splice(pos, 1);
  spec.allocations[ord] = findOrAddAttribute(spec, handleId, attrs);
  spec.sequenceNumberForAllocation[String(ord)] = spec.sequenceNumber;
  spec.sequenceNumber++;
  return true;
}
function handleOfOrdinal(spec, ord) {
  const a = spec.allocations[ord];
  return a === null || a === void 0 ? void 0 : spec.attributes[a]?.handle_id;
}
function ordinalsOfHandle(spec, handleId) {
  const out = [];
  spec.allocations.forEach((a, i) => {
    if (a !== null && spec.attributes[a]?.handle_id === handleId) out.push(i);
  });
  return out;
}
function releaseOrdinals(spec, ords) {
  const released = /* @__PURE__ */ new Map();
  for (const o of ords) {
    if (o < 0 || o >= spec.allocations.length || spec.allocations[o] === null || released.has(o)) continue;
    released.set(o, handleOfOrdinal(spec, o));
    spec.allocations[o] = null;
    spec.unallocated.push(o);
    delete spec.sequenceNumberForAllocation[String(o)];
  }
  if (released.size) {
    compactAttributes(spec);
    spec.sequenceNumber++;
  }
  return released;
}
function compactAttributes(spec) {
  const used = /* @__PURE__ */ new Set();
  for (const a of spec.allocations) if (a !== null) used.add(a);
  const remap = /* @__PURE__ */ new Map();
  const kept = [];
  spec.attributes.forEach((attr, i) => {
    if (used.has(i)) {
      remap.set(i, kept.length);
      kept.push(attr);
    }
  });
  spec.attributes = kept;
  spec.allocations = spec.allocations.map((a) => a === null ? null : remap.get(a));
}
function* blockOrder(pool, node) {
  const count = 2 ** (pool.blockSize - pool.net.prefix);
  const seed = createHash("sha256").update(node).digest().readUIntBE(0, 6);
  const start = seed % count;
  const step = 2 ** (32 - pool.blockSize);
  for (let i = 0; i < count; i++) {
    const idx = (start + i) % count;
    yield { base: pool.net.base + idx * step >>> 0, prefix: pool.blockSize };
  }
}
function validateBlock(spec) {
  const problems = [];
  let net;
  try {
    net = parseCidr4(spec.cidr);
  } catch (e) {
    return [`bad cidr: ${e.message}`];
  }
  const n = cidrSize(net);
  if (!Array.isArray(spec.allocations) || spec.allocations.length !== n) problems.push(`has ${spec.allocations?.length} allocation slots, want ${n}`);
  const free = new Set(spec.unallocated ?? []);
  if (free.size !== (spec.unallocated ?? []).length) problems.push("unallocated list has duplicates");
  (spec.allocations ?? []).forEach((a, i) => {
    if (a === null && !free.has(i)) problems.push(`ordinal ${i} is neither allocated nor in the free list`);
    if (a !== null && free.has(i)) problems.push(`ordinal ${i} is allocated but also in the free list`);
    if (a !== null && !spec.attributes?.[a]) problems.push(`ordinal ${i} points at missing attribute ${a}`);
  });
  return problems;
}

export {
  parseIPv4,
  isIPv4,
  formatIPv4,
  parseCidr4,
  formatCidr4,
  cidrSize,
  cidrContains,
  blockFor,
  compareIPv4,
  ip_exports,
  KIND_BLOCK,
  KIND_AFFINITY,
  KIND_HANDLE,
  KIND_CONFIG,
  KIND_POOL,
  KIND_NODE,
  CONFIG_NAME,
  EMPTY_BLOCK_MIN_RECLAIM_AGE_MS,
  DEFAULT_MAX_BLOCKS_PER_HOST,
  DEFAULT_IPAM_CONFIG,
  effectiveMaxBlocks,
  configFromResource,
  poolFromResource,
  isIPv6Pool,
  poolAllows,
  blockName,
  affinityName,
  hostAffinity,
  affinityNode,
  makeResource,
  newBlockSpec,
  blockNet,
  ordinalToIP,
  inUseCount,
  freeCount,
  assignOrdinals,
  assignOrdinal,
  handleOfOrdinal,
  ordinalsOfHandle,
  releaseOrdinals,
  blockOrder,
  validateBlock
};
