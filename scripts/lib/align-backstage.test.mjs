import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { align, releaseVersions } from './align-backstage.mjs';

const write = (file, value) =>
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
const read = file => JSON.parse(readFileSync(file, 'utf8'));

test("moves a created app's @backstage dependencies to this repo's release", () => {
  const app = mkdtempSync(join(tmpdir(), 'app-'));
  mkdirSync(join(app, 'packages', 'backend'), { recursive: true });
  write(join(app, 'backstage.json'), { version: '1.55.0' });
  write(join(app, 'package.json'), {
    devDependencies: { '@backstage/cli': '^0.36.6', prettier: '^2.3.2' },
    resolutions: { '@types/react': '^18' },
  });
  write(join(app, 'packages', 'backend', 'package.json'), {
    dependencies: {
      '@backstage/backend-defaults': '^0.18.0',
      '@backstage/not-in-the-release': '^1.0.0',
      express: '^4.17.1',
    },
  });

  const changes = align(
    app,
    { '@backstage/cli': '0.36.8', '@backstage/backend-defaults': '0.19.0' },
    '1.57.0',
    { rollup: '4.67.4' },
  );

  assert.equal(changes.length, 2);
  assert.deepEqual(read(join(app, 'backstage.json')), { version: '1.57.0' });
  assert.deepEqual(read(join(app, 'package.json')), {
    devDependencies: { '@backstage/cli': '^0.36.8', prettier: '^2.3.2' },
    resolutions: { '@types/react': '^18', rollup: '4.67.4' },
  });
  assert.deepEqual(
    read(join(app, 'packages', 'backend', 'package.json')).dependencies,
    {
      '@backstage/backend-defaults': '^0.19.0',
      '@backstage/not-in-the-release': '^1.0.0',
      express: '^4.17.1',
    },
  );
});

test("reads the release from this repo's lockfile", () => {
  const lock = readFileSync(
    new URL('../../yarn.lock', import.meta.url),
    'utf8',
  );
  const versions = releaseVersions(lock);
  assert.match(versions['@backstage/frontend-plugin-api'], /^1\./);
  assert.match(versions['@backstage/backend-defaults'], /^\d+\.\d+\.\d+$/);
});
