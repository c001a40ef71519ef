#!/usr/bin/env node
// Installs the packed suite into an app made by @backstage/create-app the way
// the packages' READMEs say, and writes its app-config.local.yaml.
//
//   node scripts/adoption/configure.mjs <app-dir> <tarball-dir> <port>
//
// Reads KUBE_SIM_NONPROD_URL / _TOKEN / _CA_DATA (start_clusters exports
// them); the token goes into the config file only (mode 600), never stdout.

import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [app, tarballs, port] = process.argv.slice(2);
const repo = resolve(new URL('../..', import.meta.url).pathname);

/** Root resolutions: every suite package from its tarball (not published). */
export function tarballResolutions(dir) {
  return Object.fromEntries(
    readdirSync(dir)
      .filter(file => file.endsWith('.tgz'))
      .map(file => [
        `@deployments-portal/${file
          .replace(/^@deployments-portal-/, '')
          .replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`,
        `file:${join(resolve(dir), file)}`,
      ]),
  );
}

/**
 * packages/backend/src/index.ts as the READMEs say: the four backend
 * packages added, create-app's allow-all policy replaced by the suite's.
 */
export function wireBackend(source) {
  const allowAll =
    /backend\.add\(\s*import\(\s*'@backstage\/plugin-permission-backend-module-allow-all-policy'\s*\),?\s*\);/;
  if (!allowAll.test(source)) {
    throw new Error('the allow-all policy module of create-app is not there');
  }
  return source
    .replace(
      allowAll,
      "backend.add(\n  import('@deployments-portal/backstage-plugin-permission-backend-module-deployments-policy'),\n);",
    )
    .replace(
      /backend\.start\(\);/,
      [
        "backend.add(import('@deployments-portal/backstage-plugin-deployments-backend'));",
        "backend.add(\n  import('@deployments-portal/backstage-plugin-catalog-backend-module-deployments'),\n);",
        "backend.add(\n  import('@deployments-portal/backstage-plugin-scaffolder-backend-module-deployments'),\n);",
        'backend.start();',
      ].join('\n'),
    );
}

function config() {
  const need = name => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set (start_clusters sets it)`);
    return value;
  };
  const yaml = `# Written by scripts/adoption/configure.mjs (the adoption test).
app:
  baseUrl: http://localhost:${Number(port) - 4000}
backend:
  baseUrl: http://localhost:${port}
  listen:
    port: ${port}
  cors:
    origin: http://localhost:${Number(port) - 4000}
auth:
  providers:
    guest:
      userEntityRef: user:default/ada
      ownershipEntityRefs: [user:default/ada, group:default/team-payments]
permission:
  enabled: true
catalog:
  rules:
    - allow: [Component, System, API, Resource, Location, User, Group, Template]
  locations:
    - type: file
      target: ${join(repo, 'examples/entities.yaml')}
    - type: file
      target: ${join(repo, 'examples/org.yaml')}
kubernetes:
  serviceLocatorMethod:
    type: multiTenant
  clusterLocatorMethods:
    - type: config
      clusters:
        - name: nonprod
          url: ${need('KUBE_SIM_NONPROD_URL')}
          authProvider: serviceAccount
          serviceAccountToken: ${need('KUBE_SIM_NONPROD_TOKEN')}
          caData: ${need('KUBE_SIM_NONPROD_CA_DATA')}
deployments:
  environments:
    development:
      cluster: nonprod
      policies:
        image-source:
          allowedRegistries: [ghcr.io/acme]
`;
  writeFileSync(join(app, 'app-config.local.yaml'), yaml, { mode: 0o600 });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!app || !tarballs || !port) {
    console.error(
      'usage: node scripts/adoption/configure.mjs <app-dir> <tarball-dir> <port>',
    );
    process.exit(2);
  }
  const rootFile = join(app, 'package.json');
  const root = JSON.parse(readFileSync(rootFile, 'utf8'));
  root.resolutions = { ...root.resolutions, ...tarballResolutions(tarballs) };
  writeFileSync(rootFile, `${JSON.stringify(root, null, 2)}\n`);
  const index = join(app, 'packages/backend/src/index.ts');
  writeFileSync(index, wireBackend(readFileSync(index, 'utf8')));
  config();
  console.log(
    `${app}: suite wired (backend index, resolutions, app-config.local.yaml)`,
  );
}
