import {
  isEnvironmentName,
  nextEnvironment,
  sortByEnvironment,
} from './environments';

describe('environments', () => {
  it('promotes one step at a time in OTAP order', () => {
    expect(nextEnvironment('development')).toBe('test');
    expect(nextEnvironment('test')).toBe('acceptance');
    expect(nextEnvironment('acceptance')).toBe('production');
    expect(nextEnvironment('production')).toBeUndefined();
  });

  it('recognises only the four environment names', () => {
    expect(isEnvironmentName('acceptance')).toBe(true);
    expect(isEnvironmentName('staging')).toBe(false);
    expect(isEnvironmentName(undefined)).toBe(false);
  });

  it('sorts environments into OTAP order', () => {
    const sorted = sortByEnvironment([
      { name: 'production' as const },
      { name: 'development' as const },
      { name: 'acceptance' as const },
      { name: 'test' as const },
    ]);
    expect(sorted.map(e => e.name)).toEqual([
      'development',
      'test',
      'acceptance',
      'production',
    ]);
  });
});
