// Validates the custom resources of the rendered manifests (kubeconform skips them) with the
// schemas of the @kubernetes-models packages (npm; generated from the operators' Go types):
//
//   node scripts/delivery/crds.ts <node_modules dir with @kubernetes-models> <rendered.yaml>...
//
// Kinds of the Kubernetes API itself are kubeconform's; any other kind without a validator here
// is an error, so that no object escapes both checks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadObjects } from './policy.ts';

const MODELS: Record<string, string> = {
  'monitoring.coreos.com/v1/ServiceMonitor':
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor.js',
  'monitoring.coreos.com/v1/PrometheusRule':
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule.js',
  'argoproj.io/v1alpha1/Application': '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application.js',
  'argoproj.io/v1alpha1/ApplicationSet': '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet.js',
  'argoproj.io/v1alpha1/AppProject': '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject.js',
};

// API groups served by Kubernetes itself (validated by kubeconform against the OpenAPI schemas).
const CORE_GROUPS =
  /^(v1|(apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io|storage\.k8s\.io|scheduling\.k8s\.io|coordination\.k8s\.io|discovery\.k8s\.io|admissionregistration\.k8s\.io|apiextensions\.k8s\.io|certificates\.k8s\.io|node\.k8s\.io|resource\.k8s\.io)\/.+)$/;

type Model = new (data: unknown) => { validate(): void };

const [modulesDir, ...files] = process.argv.slice(2);
if (!modulesDir || files.length === 0) {
  console.error('usage: crds.ts <node_modules> <rendered.yaml>...');
  process.exit(2);
}
let failed = 0;
let checked = 0;
for (const file of files) {
  for (const o of loadObjects(readFileSync(file, 'utf8'))) {
    if (CORE_GROUPS.test(o.apiVersion)) continue;
    const key = `${o.apiVersion}/${o.kind}`;
    const where = `${file} ${o.kind}/${o.metadata.name}`;
    const path = MODELS[key];
    if (!path) {
      console.log(`INVALID ${where}: no schema for ${key}`);
      failed++;
      continue;
    }
    const mod = (await import(pathToFileURL(join(modulesDir, path)).href)) as Record<string, Model>;
    const ModelClass = mod[o.kind];
    if (!ModelClass) throw new Error(`${path} exports no ${o.kind}`);
    try {
      new ModelClass(o).validate();
      checked++;
    } catch (err) {
      console.log(`INVALID ${where}: ${(err as Error).message}`);
      failed++;
    }
  }
}
console.log(`custom resources: ${checked} valid, ${failed} invalid`);
process.exitCode = failed === 0 ? 0 : 1;
