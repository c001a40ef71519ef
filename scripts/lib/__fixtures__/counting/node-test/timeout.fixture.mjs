import { describe, test } from 'node:test';

// A test over its own time limit, and one whose suite runs out of time
// around it: node reports the second as "cancelled".
test('hangs past its timeout', { timeout: 100 }, () => new Promise(() => {}));
describe('a suite that runs out of time', { timeout: 100 }, () => {
  test('is cancelled with its suite', () => new Promise(() => {}));
});
