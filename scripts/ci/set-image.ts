// Sets the image of one kustomize overlay to repository@digest, keeping the file's comments:
//   node scripts/ci/set-image.ts <kustomization.yaml> <image-name> <repository> <sha256:...>
// It edits the `images:` entry whose name is <image-name> (the name used in the base), writes
// newName and digest, and drops newTag. Exit 2 on a bad argument, 1 when the entry is missing.
import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument } from 'yaml';

export function setImage(text: string, name: string, repository: string, digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/.test(repository)) {
    throw new Error(`not an image repository (lower case, no tag): ${repository}`);
  }
  const doc = parseDocument(text);
  const images = doc.get('images');
  if (!isSeq(images)) throw new Error('the kustomization has no images: list');
  const entry = images.items.find((item) => isMap(item) && item.get('name') === name);
  if (!isMap(entry)) throw new Error(`no images: entry named ${name}`);
  entry.set('newName', repository);
  entry.delete('newTag');
  entry.set('digest', digest);
  return doc.toString();
}

if (import.meta.main) {
  const [file, name, repository, digest] = process.argv.slice(2);
  if (!file || !name || !repository || !digest) {
    console.error('usage: set-image.ts <kustomization.yaml> <image-name> <repository> <sha256:...>');
    process.exit(2);
  }
  try {
    writeFileSync(file, setImage(readFileSync(file, 'utf8'), name, repository, digest));
  } catch (err) {
    console.error(`set-image: ${(err as Error).message}`);
    process.exit(1);
  }
  console.log(`set-image: ${file}: ${name} -> ${repository}@${digest}`);
}
