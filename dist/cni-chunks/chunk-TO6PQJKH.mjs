import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);

// src/api/resource.ts
var API_VERSION = "projectcalico.org/v3";

export {
  API_VERSION
};
