"""Kubernetes JSON schemas for kubeconform, offline, from the kubernetes-validate package (PyPI).

kubernetes-validate ships the schemas of each Kubernetes version in a "local" layout: one file per
type whose $ref points at "/api/_definitions.json" relative to an https $id, which kubeconform
would try to download. This writes, for one version, a file per top-level kind (those with
x-kubernetes-group-version-kind) in kubeconform's naming (<kind>[-<group>]-<version>.json), each
standalone: the definitions it reaches are embedded under $defs and the $id is dropped. No schema
content is changed otherwise.

    python k8s_schemas.py <kubernetes-version e.g. 1.33.0> <output-dir>
"""

import json
import os
import re
import sys

import kubernetes_validate  # type: ignore[import-not-found]

REF = "/api/_definitions.json#/$defs/"


def rewrite(node, found):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if value.startswith(REF):
                    name = value[len(REF) :]
                    found.add(name)
                    value = "#/$defs/" + name
                elif value.startswith("#/$defs/"):
                    found.add(value[len("#/$defs/") :])
            out[key] = rewrite(value, found)
        return out
    if isinstance(node, list):
        return [rewrite(v, found) for v in node]
    return node


def main() -> int:
    version, out_dir = sys.argv[1], sys.argv[2]
    base = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
    src = os.path.join(base, f"v{version}-local-strict")
    if not os.path.isdir(src):
        have = sorted(d for d in os.listdir(base) if d.endswith("-local-strict"))
        print(f"k8s_schemas: no schemas for {version} in kubernetes-validate (has {', '.join(have)})")
        return 1
    with open(os.path.join(src, "_definitions.json")) as f:
        defs = json.load(f)["$defs"]
    os.makedirs(out_dir, exist_ok=True)
    written = 0
    for name in sorted(os.listdir(src)):
        if name.startswith("_") or not name.endswith(".json"):
            continue
        with open(os.path.join(src, name)) as f:
            schema = json.load(f)
        if "x-kubernetes-group-version-kind" not in schema:
            continue
        found: set = set()
        schema = rewrite(schema, found)
        schema.pop("$id", None)
        embedded = {}
        todo = list(found)
        while todo:
            ref = todo.pop()
            if ref in embedded:
                continue
            more: set = set()
            embedded[ref] = rewrite(defs[ref], more)
            todo.extend(more - embedded.keys())
        if embedded:
            schema["$defs"] = embedded
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump(schema, f, separators=(",", ":"))
        written += 1
    if written < 50 or not re.search(r"\d", version):
        print(f"k8s_schemas: only {written} kinds written")
        return 1
    print(f"k8s_schemas: {written} kinds for Kubernetes {version} in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
