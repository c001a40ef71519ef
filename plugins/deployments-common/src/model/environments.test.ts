import {
  compareEnvironments,
  isEnvironmentName,
  nextEnvironment,
  OTAP_ENVIRONMENT_NAMES,
  previousEnvironment,
} from './environments';

describe('environments', () => {
  it('promotes one step at a time in the given order', () => {
    const otap = OTAP_ENVIRONMENT_NAMES;
    expect(nextEnvironment('development', otap)).toBe('test');
    expect(nextEnvironment('acceptance', otap)).toBe('production');
    expect(nextEnvironment('production', otap)).toBeUndefined();
    const own = ['dev', 'staging', 'prod'];
    expect(nextEnvironment('dev', own)).toBe('staging');
    expect(nextEnvironment('prod', own)).toBeUndefined();
    expect(nextEnvironment('test', own)).toBeUndefined();
    expect(previousEnvironment('prod', own)).toBe('staging');
    expect(previousEnvironment('dev', own)).toBeUndefined();
    expect(previousEnvironment('qa', own)).toBeUndefined();
  });

  it('accepts lowercase DNS labels of up to 30 characters as names', () => {
    expect(isEnvironmentName('acceptance')).toBe(true);
    expect(isEnvironmentName('prod-eu-2')).toBe(true);
    expect(isEnvironmentName('a'.repeat(30))).toBe(true);
    expect(isEnvironmentName('a'.repeat(31))).toBe(false);
    expect(isEnvironmentName('Staging')).toBe(false);
    expect(isEnvironmentName('2nd')).toBe(false);
    expect(isEnvironmentName('prod-')).toBe(false);
    expect(isEnvironmentName('prod eu')).toBe(false);
    expect(isEnvironmentName(undefined)).toBe(false);
  });

  it('sorts by place in the order, unknown names last', () => {
    const sorted = ['qa', 'prod', 'dev', 'legacy', 'staging'].sort(
      compareEnvironments(['dev', 'staging', 'prod']),
    );
    expect(sorted).toEqual(['dev', 'staging', 'prod', 'legacy', 'qa']);
  });
});
