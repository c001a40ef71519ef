test('adds', () => expect(1 + 1).toBe(2));
test('hangs past its timeout', () => new Promise(() => {}), 100);
