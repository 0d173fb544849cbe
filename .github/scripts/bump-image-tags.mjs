#!/usr/bin/env node
// Sets the tag of every Switchboard image in a kustomize overlay: what `kustomize edit set image`
// does for the tag, without its rewrite of the whole file. Only the newTag values change, byte for
// byte; comments, order, quoting and every other line stay as they were (a gitops diff a reviewer can
// read at a glance). The gitops workflow runs it; so can anyone promoting by hand:
//
//   node .github/scripts/bump-image-tags.mjs deploy/kustomize/overlays/staging 0.2.0
//
// The tag must be one images.yml pushes: a full commit SHA or a release version (MAJOR.MINOR.PATCH,
// optionally -PRERELEASE). Anything else (latest, a branch name, an empty or spaced string) is refused
// and nothing is written. Every service image must already have an entry with a newTag in the
// overlay's images: (its registry, newName, is the overlay's to set, not this script's).
//
// Exit codes: 0 done (or already at that tag), 1 refused, 2 usage.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// The four services must be in every overlay; the KMS emulator (trials only) is bumped when present.
const REQUIRED_IMAGES = ["switchboard-gateway", "switchboard-signaling", "switchboard-placement", "switchboard-state"];
const OPTIONAL_IMAGES = ["switchboard-kms-emulator"];
const TAG_RULE =
  "a full commit SHA (40 hex digits) or a release version MAJOR.MINOR.PATCH[-PRERELEASE], as images.yml pushes them";

function refuse(message) {
  console.error(`bump-image-tags: ${message}; nothing changed`);
  process.exit(1);
}

// The repository's Node tools share one lock file (tests/delivery/node, installed by .ci/run and by
// the gitops workflow), so the YAML library is resolved from there.
function loadYaml() {
  const tools = new URL("../../tests/delivery/node/package.json", import.meta.url);
  try {
    return createRequire(tools)("yaml");
  } catch {
    console.error("bump-image-tags: the yaml package is missing: run npm ci --prefix tests/delivery/node");
    process.exit(2);
  }
}

function checkTag(tag) {
  if (/^[0-9a-f]{40}$/.test(tag) || /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z][0-9A-Za-z.-]*)?$/.test(tag)) {
    return;
  }
  const hint = /^v\d/.test(tag) ? ` (release images are tagged without the v: ${tag.slice(1)})` : "";
  refuse(`refusing tag ${JSON.stringify(tag)}: an overlay pins an immutable tag, ${TAG_RULE}${hint}`);
}

function kustomizationIn(overlay) {
  for (const name of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
    const file = join(overlay, name);
    if (existsSync(file)) {
      return file;
    }
  }
  refuse(`${overlay} has no kustomization.yaml`);
}

// The tag as YAML source in the old value's quoting; quoted whenever a plain scalar would not read
// back as this string (a SHA of digits only would be a number to kustomize).
function render(YAML, tag, old) {
  const plainReadsBack = YAML.parse(`t: ${tag}`).t === tag;
  if (old.type === "QUOTE_SINGLE") {
    return `'${tag}'`;
  }
  if (old.type === "QUOTE_DOUBLE" || !plainReadsBack) {
    return `"${tag}"`;
  }
  return tag;
}

function main() {
  const [overlay, tag, ...extra] = process.argv.slice(2);
  if (overlay === undefined || tag === undefined || extra.length > 0) {
    console.error("usage: node .github/scripts/bump-image-tags.mjs <overlay-dir> <tag>");
    process.exit(2);
  }
  checkTag(tag);
  const YAML = loadYaml();
  const file = kustomizationIn(overlay);
  const source = readFileSync(file, "utf8");
  const doc = YAML.parseDocument(source);
  if (doc.errors.length > 0) {
    refuse(`${file} is not valid YAML: ${doc.errors[0].message}`);
  }
  const images = doc.get("images", true);
  if (!YAML.isSeq(images)) {
    refuse(`${file} has no images: list (kustomize's images: - name/newName/newTag)`);
  }

  const edits = [];
  const found = new Set();
  for (const item of images.items) {
    const name = YAML.isMap(item) ? item.get("name") : undefined;
    if (!REQUIRED_IMAGES.includes(name) && !OPTIONAL_IMAGES.includes(name)) {
      continue;
    }
    if (found.has(name)) {
      refuse(`${file} lists ${name} twice`);
    }
    found.add(name);
    if (item.has("digest")) {
      refuse(`${file} pins ${name} by digest, which wins over any tag: remove the digest to promote by tag`);
    }
    const old = item.get("newTag", true);
    if (!YAML.isScalar(old) || old.range === undefined) {
      refuse(`${file}: ${name} has no newTag to change (give it one; this script changes tags only)`);
    }
    if (old.value !== tag) {
      edits.push({ name, from: String(old.value), start: old.range[0], end: old.range[1], text: render(YAML, tag, old) });
    }
  }
  const missing = REQUIRED_IMAGES.filter((name) => !found.has(name));
  if (missing.length > 0) {
    refuse(`${file} has no images: entry for ${missing.join(", ")}`);
  }

  // Splice from the end so that earlier offsets stay valid.
  let bumped = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    bumped = bumped.slice(0, edit.start) + edit.text + bumped.slice(edit.end);
  }
  verify(YAML, source, bumped, found, tag, file);
  if (edits.length > 0) {
    writeFileSync(file, bumped);
  }
  for (const name of found) {
    const edit = edits.find((e) => e.name === name);
    console.log(edit ? `${file}: ${name} ${edit.from} -> ${tag}` : `${file}: ${name} already at ${tag}`);
  }
}

// The result must read back as the same document with only those tags changed; else nothing is written.
function verify(YAML, before, after, names, tag, file) {
  const expected = YAML.parse(before);
  for (const image of expected.images) {
    if (names.has(image.name)) {
      image.newTag = tag;
    }
  }
  if (JSON.stringify(YAML.parse(after)) !== JSON.stringify(expected)) {
    refuse(`editing ${file} would change more than the image tags (please report this)`);
  }
}

main();
