#!/usr/bin/env node
// The single-release gate of ./portal test: yarn.lock must hold exactly one
// version of every @backstage/* package, so the suite is built and tested
// against one Backstage release (the one backstage.json names) — the way an
// adopter's app resolves it. Prints every package found in two or more
// versions with the workspaces or packages that ask for each.
//
//   node scripts/lib/backstage-release.mjs [yarn.lock]

import { readFileSync } from 'node:fs';

/**
 * Parses a Yarn Berry lockfile into { name -> Map(version -> [descriptors]) }
 * for the @backstage scope.
 */
export function backstageVersions(lockfile) {
  const found = new Map();
  for (const block of lockfile.split(/\n\n+/)) {
    const header = block.split('\n')[0];
    const name = /^"?(@backstage\/[^@"]+)@/.exec(header)?.[1];
    const version = /\n {2}version: (\S+)/.exec(block)?.[1];
    if (!name || !version) continue;
    const versions = found.get(name) ?? new Map();
    versions.set(
      version,
      header.replace(/"/g, '').replace(/:$/, '').split(', '),
    );
    found.set(name, versions);
  }
  return found;
}

export function duplicates(lockfile) {
  return [...backstageVersions(lockfile)]
    .filter(([, versions]) => versions.size > 1)
    .map(([name, versions]) => ({
      name,
      versions: [...versions].map(([version, ranges]) => ({ version, ranges })),
    }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2] ?? 'yarn.lock';
  const lockfile = readFileSync(path, 'utf8');
  const release = JSON.parse(readFileSync('backstage.json', 'utf8')).version;
  const all = backstageVersions(lockfile);
  const dups = duplicates(lockfile);
  if (dups.length === 0) {
    console.log(
      `${all.size} @backstage/* packages, one version each (Backstage ${release})`,
    );
  } else {
    console.error(
      `${dups.length} of ${all.size} @backstage/* packages resolve to more than one version (backstage.json says ${release}):`,
    );
    for (const { name, versions } of dups) {
      for (const { version, ranges } of versions) {
        console.error(`  ${name}@${version}  ← ${ranges.join(', ')}`);
      }
    }
    console.error(
      'Move every workspace to the same release (yarn backstage-cli versions:bump, or the ranges in package.json), then `yarn dedupe`. A dependency that is not served in that release can be pinned through `resolutions` in the root package.json.',
    );
    process.exitCode = 1;
  }
}
