// Preloaded into the extension (node --require) by tests: appends the file name of every CommonJS
// module compiled to $MODULE_PROBE_FILE, so a test can see exactly when the SDK bundle was loaded.
// Bundles loaded with their code cache (extension/src/code-cache.ts) are compiled by vm.Script.
const { appendFileSync } = require('node:fs');
const Module = require('node:module');
const vm = require('node:vm');

const target = process.env.MODULE_PROBE_FILE;
const compile = Module.prototype._compile;
Module.prototype._compile = function probedCompile(content, filename) {
  if (target) appendFileSync(target, `${filename}\n`);
  return compile.call(this, content, filename);
};

const Script = vm.Script;
vm.Script = class ProbedScript extends Script {
  constructor(code, options) {
    if (target && options?.filename) appendFileSync(target, `${options.filename}\n`);
    super(code, options);
  }
};
