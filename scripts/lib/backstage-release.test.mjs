import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { backstageVersions, duplicates } from './backstage-release.mjs';

const entry = (descriptors, version) =>
  `"${descriptors}":\n  version: ${version}\n  resolution: "x"\n  languageName: node\n  linkType: hard`;

test('one version per package passes; other scopes are ignored', () => {
  const lock = [
    entry('@backstage/ui@npm:^0.20.0', '0.20.0'),
    entry(
      '@backstage/config@npm:^1.3.9, @backstage/config@npm:^1.3.11',
      '1.3.11',
    ),
    entry('react@npm:^17.0.0', '17.0.2'),
    entry('react@npm:^18.0.0', '18.3.1'),
  ].join('\n\n');
  assert.deepEqual(
    [...backstageVersions(lock).keys()],
    ['@backstage/ui', '@backstage/config'],
  );
  assert.deepEqual(duplicates(lock), []);
});

test('two versions of a package are reported with the ranges asking for each', () => {
  const lock = [
    entry('@backstage/backend-defaults@npm:^0.18.0', '0.18.0'),
    entry('@backstage/backend-defaults@npm:^0.19.0', '0.19.0'),
  ].join('\n\n');
  assert.deepEqual(duplicates(lock), [
    {
      name: '@backstage/backend-defaults',
      versions: [
        {
          version: '0.18.0',
          ranges: ['@backstage/backend-defaults@npm:^0.18.0'],
        },
        {
          version: '0.19.0',
          ranges: ['@backstage/backend-defaults@npm:^0.19.0'],
        },
      ],
    },
  ]);
});

test("the repo's own lockfile holds one Backstage release", () => {
  const lock = readFileSync(
    new URL('../../yarn.lock', import.meta.url),
    'utf8',
  );
  assert.ok(backstageVersions(lock).size > 50);
  assert.deepEqual(duplicates(lock), []);
});
