#!/usr/bin/env node
// Validates rendered Kubernetes manifests offline against the schemas bundled in npm kubernetes-models
// (core/apps/policy/... at K8s 1.34 level) and @kubernetes-models/prometheus-operator (ServiceMonitor,
// PrometheusRule). There is no cluster here, so this is what stands in for `kubectl apply --dry-run=server`.
//
// usage: node validate-k8s.mjs [--unchecked=KindA,KindB] FILE.yaml...
//
// A kind without a schema fails the run unless it is listed in --unchecked: a CRD nobody validates must be a
// visible decision, never a silent skip. Limitation of these schemas: unknown fields are not reported (they
// are type/enum/required checks only).
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const PROVIDERS = [
  { groups: /^monitoring\.coreos\.com$/, pkg: "@kubernetes-models/prometheus-operator" },
  { groups: /.*/, pkg: "kubernetes-models" },
];

const args = process.argv.slice(2);
const unchecked = new Set(
  args.filter((a) => a.startsWith("--unchecked=")).flatMap((a) => a.slice("--unchecked=".length).split(",")).filter(Boolean),
);
const files = args.filter((a) => !a.startsWith("--"));
if (files.length === 0) {
  console.error("usage: node validate-k8s.mjs [--unchecked=KindA,KindB] FILE.yaml...");
  process.exit(2);
}

async function modelFor(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const provider = PROVIDERS.find((p) => p.groups.test(group));
  try {
    const mod = await import(`${provider.pkg}/${group ? group + "/" : ""}${version}`);
    return mod[kind];
  } catch {
    return undefined; // no such group/version in the package
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  let docs;
  try {
    docs = yaml.loadAll(readFileSync(file, "utf8"));
  } catch (e) {
    console.log(`FAIL ${file}: not YAML: ${e.message}`);
    failed++;
    continue;
  }
  for (const doc of docs) {
    if (doc === null || doc === undefined) {
      continue; // an empty document between two '---'
    }
    const id = `${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
    if (typeof doc.apiVersion !== "string" || typeof doc.kind !== "string" || !doc.metadata?.name) {
      console.log(`FAIL ${id} (${file}): apiVersion, kind and metadata.name are required`);
      failed++;
      continue;
    }
    const Model = await modelFor(doc.apiVersion, doc.kind);
    if (!Model) {
      if (unchecked.has(doc.kind)) {
        console.log(`UNCHECKED ${id} (${doc.apiVersion}): no schema for this kind; listed as unchecked`);
        skipped++;
      } else {
        console.log(`FAIL ${id}: unknown kind ${doc.apiVersion}/${doc.kind}: no schema to validate it against`);
        failed++;
      }
      continue;
    }
    try {
      new Model(doc).validate();
      console.log(`PASS ${id} (${doc.apiVersion})`);
      passed++;
    } catch (e) {
      console.log(`FAIL ${id} (${doc.apiVersion}): ${e.message}`);
      failed++;
    }
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} unchecked`);
process.exit(failed > 0 ? 1 : 0);
