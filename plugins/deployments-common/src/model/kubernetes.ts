import { CommonValidatorFunctions } from '@backstage/catalog-model';
import { formats } from '@kubernetes-models/validate';

// Kubernetes' own grammars, from maintained libraries: RFC 1123 labels from
// @backstage/catalog-model, the resource.Quantity grammar from
// @kubernetes-models/validate (kubernetes-models' JSON-schema formats).
const quantityPattern = (formats.quantity as { validate: RegExp }).validate;

/** A DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters. */
export function isDns1123Label(value: string): boolean {
  return CommonValidatorFunctions.isValidDnsLabel(value);
}

/** A Kubernetes resource quantity such as `250m`, `1.5`, `512Mi`, `1e3`. */
export function isQuantity(value: string): boolean {
  return quantityPattern.test(value);
}

const BINARY_SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * The numeric value of a quantity (cores for CPU, bytes for memory), for
 * comparisons. `undefined` for anything that is not a valid quantity or uses
 * a suffix Kubernetes accepts but nobody writes for CPU or memory.
 */
export function quantityValue(value: string): number | undefined {
  if (!isQuantity(value)) {
    return undefined;
  }
  const match = /^([+-]?[\d.]+)([eE][+-]?[\d.]+|[A-Za-z]*)$/.exec(value);
  if (!match) {
    return undefined;
  }
  const [, number, suffix] = match;
  if (/^[eE]/.test(suffix)) {
    return Number(`${number}${suffix}`);
  }
  const factor = BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix];
  return factor === undefined ? undefined : Number(number) * factor;
}
