import { isDns1123Label, isQuantity, quantityValue } from './kubernetes';

describe('kubernetes grammars', () => {
  it('recognises DNS-1123 labels', () => {
    expect(isDns1123Label('payments-api-development')).toBe(true);
    expect(isDns1123Label('-payments')).toBe(false);
    expect(isDns1123Label('Payments')).toBe(false);
  });

  it('parses quantities as Kubernetes does', () => {
    expect(isQuantity('250m')).toBe(true);
    expect(isQuantity('1GB')).toBe(false);
    expect(quantityValue('250m')).toBeCloseTo(0.25);
    expect(quantityValue('2')).toBe(2);
    expect(quantityValue('512Mi')).toBe(512 * 1024 * 1024);
    expect(quantityValue('1G')).toBe(1e9);
    expect(quantityValue('1e3')).toBe(1000);
    expect(quantityValue('bogus')).toBeUndefined();
  });
});
