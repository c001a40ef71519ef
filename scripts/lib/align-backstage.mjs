#!/usr/bin/env node
// Moves a Backstage app made by @backstage/create-app to the Backstage
// release of this repo: every @backstage/* dependency of every package.json
// in the app gets the version this repo's yarn.lock resolves, backstage.json
// this repo's release, and the root package.json this repo's resolutions.
// create-app's newest version on the registry makes an older release (see
// CONTRIBUTING.md, "Backstage versions"); the adoption test uses this so the
// suite's packages land in an app of their own release.
//
//   node scripts/lib/align-backstage.mjs <app-dir>

import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backstageVersions } from './backstage-release.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** { '@backstage/x': '1.2.3' } from this repo's lockfile. */
export function releaseVersions(lockfile) {
  return Object.fromEntries(
    [...backstageVersions(lockfile)].map(([name, versions]) => [
      name,
      [...versions.keys()][0],
    ]),
  );
}

/** The package.json files of an app: the root and its workspaces. */
function manifests(app) {
  const found = [join(app, 'package.json')];
  for (const dir of ['packages', 'plugins']) {
    const base = join(app, dir);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const file = join(base, name, 'package.json');
      if (existsSync(file)) found.push(file);
    }
  }
  return found;
}

/** Rewrites the app; returns what changed, as "file: name from → to". */
export function align(app, versions, release, resolutions) {
  const changes = [];
  for (const file of manifests(app)) {
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    for (const field of ['dependencies', 'devDependencies']) {
      for (const [name, range] of Object.entries(pkg[field] ?? {})) {
        const version = versions[name];
        if (version && range !== `^${version}`) {
          pkg[field][name] = `^${version}`;
          changes.push(`${file}: ${name} ${range} → ^${version}`);
        }
      }
    }
    if (file === join(app, 'package.json')) {
      pkg.resolutions = { ...pkg.resolutions, ...resolutions };
    }
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  }
  writeFileSync(
    join(app, 'backstage.json'),
    `${JSON.stringify({ version: release }, null, 2)}\n`,
  );
  return changes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = process.argv[2];
  if (!app || !existsSync(join(app, 'backstage.json'))) {
    console.error(
      'usage: node scripts/lib/align-backstage.mjs <dir of an app made by @backstage/create-app>',
    );
    process.exit(2);
  }
  const versions = releaseVersions(
    readFileSync(join(repo, 'yarn.lock'), 'utf8'),
  );
  const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const release = JSON.parse(
    readFileSync(join(repo, 'backstage.json'), 'utf8'),
  ).version;
  const changes = align(app, versions, release, root.resolutions ?? {});
  console.log(
    `${app}: Backstage ${release}, ${changes.length} dependencies moved`,
  );
}
