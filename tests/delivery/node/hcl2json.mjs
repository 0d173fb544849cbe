// Parses HCL2 files (Terraform's .tf, .tfvars, backend .hcl) with @cdktf/hcl2json, HashiCorp's own
// HCL library compiled to WebAssembly, and writes one JSON object, {"<file>": <its JSON>, ...},
// to OUT for the Java tests (tests/delivery TerraformIT) to read.
//
//   node hcl2json.mjs OUT FILE...
//
// A file that is not valid HCL2 ends the run with exit code 1 and the parser's message, naming the
// file, line and column.
import { readFile, writeFile } from "node:fs/promises";
import { parse } from "@cdktf/hcl2json";

const [out, ...files] = process.argv.slice(2);
if (!out || files.length === 0) {
  console.error("usage: node hcl2json.mjs OUT FILE...");
  process.exit(2);
}

const parsed = {};
const errors = [];
for (const file of files) {
  try {
    parsed[file] = await parse(file, await readFile(file, "utf8"));
  } catch (error) {
    errors.push(`${file}: ${error instanceof Error ? error.message : error}`);
  }
}
if (errors.length > 0) {
  console.error(errors.join("\n"));
  process.exit(1);
}
await writeFile(out, JSON.stringify(parsed));
