import { test } from 'node:test';
import assert from 'node:assert/strict';

test('adds', () => assert.equal(1 + 1, 2));
test('is skipped', { skip: 'not today' }, () => {});
test('is todo', { todo: true }, () => {});
