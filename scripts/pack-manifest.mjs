// The package.json that `npm pack` (and publish) ships has no scripts: npm 11 warns a consumer about any install
// script it would run, and `prepare`, `prestart` and the rest only make sense in a clone of this repository.
//   node scripts/pack-manifest.mjs strip     prepack, after the build: package.json without "scripts"; the original
//                                            kept beside it
//   node scripts/pack-manifest.mjs restore   postpack: the original back (npm runs postpack from the manifest it
//                                            read before prepack, so it still finds this script)
// A pack that failed between the two leaves the backup: the next strip restores it first, never loses it.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MANIFEST = join(ROOT, 'package.json');
const BACKUP = join(ROOT, '.package.json.before-pack');

function restore() {
  if (existsSync(BACKUP)) renameSync(BACKUP, MANIFEST);
}

function strip() {
  restore();
  const text = readFileSync(MANIFEST, 'utf8');
  const { scripts: _scripts, ...shipped } = JSON.parse(text);
  writeFileSync(BACKUP, text);
  writeFileSync(MANIFEST, `${JSON.stringify(shipped, null, 2)}\n`);
}

const command = process.argv[2];
if (command === 'strip') strip();
else if (command === 'restore') restore();
else {
  process.stderr.write('usage: node scripts/pack-manifest.mjs strip|restore\n');
  process.exit(64);
}
