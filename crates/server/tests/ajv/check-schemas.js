// Compiles every tool's inputSchema and outputSchema from a tools/list result (JSON on stdin)
// with Ajv in strict mode, draft 2020-12, with the standard formats (ajv-formats) known: a
// non-standard `format`, an unknown keyword or a union type is an error. Prints one line per
// problem; exit status 1 if there is any, 0 if every schema compiled.
"use strict";
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const input = require("fs").readFileSync(0, "utf8");
const tools = JSON.parse(input).tools;
if (!Array.isArray(tools) || tools.length === 0) {
  console.log("no tools in the input");
  process.exit(1);
}
let problems = 0;
let compiled = 0;
for (const tool of tools) {
  for (const key of ["inputSchema", "outputSchema"]) {
    const schema = tool[key];
    if (schema === undefined) continue;
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    try {
      ajv.compile(schema);
      compiled += 1;
    } catch (e) {
      problems += 1;
      console.log(`${tool.name} ${key}: ${e.message}`);
    }
  }
}
console.log(`compiled ${compiled} schema(s), ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
