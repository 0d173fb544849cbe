// Parses HCL2 files (Terraform's .tf, .tfvars, backend .hcl) with @cdktf/hcl2json, HashiCorp's own
// HCL library compiled to WebAssembly. Two ways to run it:
//
//   node hcl2json.mjs OUT FILE...
//     writes one JSON object, {"<file>": <its JSON>, ...}, to OUT. A file that is not valid HCL2
//     ends the run with exit code 1 and the parser's message, naming the file, line and column.
//
//   node hcl2json.mjs --serve
//     for the Java tests (tests/delivery HclParser): one long-lived process, so that the parser's
//     WebAssembly is set up once rather than once per parse. Reads requests from stdin, one JSON
//     object per line, {"files": [{"name": "<file>", "contents": "<its text>"}, ...]}, and answers
//     each on stdout with one line, {"parsed": {"<file>": <its JSON>, ...}, "errors": ["<file>: <the
//     parser's message>", ...]}: a file that is not valid HCL2 is an answer like any other. A
//     request that is not such an object is answered with {"failure": "<why>"}. Ends when stdin
//     closes.
import { createInterface } from "node:readline";
import { readFile, writeFile } from "node:fs/promises";
import { parse } from "@cdktf/hcl2json";

async function parseAll(files) {
  const parsed = {};
  const errors = [];
  for (const { name, contents } of files) {
    try {
      parsed[name] = await parse(name, contents);
    } catch (error) {
      errors.push(`${name}: ${error instanceof Error ? error.message : error}`);
    }
  }
  return { parsed, errors };
}

async function serve() {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  // One request at a time, in order: the reader waits for each answer before it sends the next.
  for await (const line of lines) {
    if (line.trim() === "") {
      continue;
    }
    let answer;
    try {
      const request = JSON.parse(line);
      if (!Array.isArray(request.files)) {
        throw new Error("a request is {\"files\": [{\"name\": ..., \"contents\": ...}, ...]}");
      }
      answer = await parseAll(request.files);
    } catch (error) {
      answer = { failure: error instanceof Error ? error.message : String(error) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
  process.exit(0);
}

async function once(out, names) {
  const files = [];
  const unread = [];
  for (const name of names) {
    try {
      files.push({ name, contents: await readFile(name, "utf8") });
    } catch (error) {
      unread.push(`${name}: ${error instanceof Error ? error.message : error}`);
    }
  }
  const { parsed, errors } = await parseAll(files);
  errors.unshift(...unread);
  if (errors.length > 0) {
    console.error(errors.join("\n"));
    process.exit(1);
  }
  await writeFile(out, JSON.stringify(parsed));
}

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === "--serve") {
  await serve();
} else if (args.length >= 2) {
  await once(args[0], args.slice(1));
} else {
  console.error("usage: node hcl2json.mjs OUT FILE...\n       node hcl2json.mjs --serve");
  process.exit(2);
}
