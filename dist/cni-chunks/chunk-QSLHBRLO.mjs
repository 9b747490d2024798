import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);

// src/datastore/types.ts
var DatastoreError = class extends Error {
  constructor(code, message, compactRevision) {
    super(message);
    this.code = code;
    this.compactRevision = compactRevision;
    this.name = "DatastoreError";
  }
  code;
  compactRevision;
};
function isDatastoreError(e, code) {
  return e instanceof DatastoreError && (code === void 0 || e.code === code);
}

export {
  DatastoreError,
  isDatastoreError
};
