// Recognising plaintext secrets in plain env values: by the variable's name,
// by credentials inside URLs, by the shapes of well-known keys and tokens,
// and by entropy.

const SECRET_NAME_SEGMENTS = new Set([
  'PASSWORD',
  'PASSWD',
  'PWD',
  'PASS',
  'SECRET',
  'TOKEN',
  'KEY',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'PASSPHRASE',
  'PRIVATEKEY',
]);

/** Whether a variable's name says it holds a secret (JWT_SECRET, DB_PASSWORD, SECRET_KEY). */
export function isSecretName(name: string): boolean {
  const segments = name.toUpperCase().split('_').filter(Boolean);
  return SECRET_NAME_SEGMENTS.has(segments[segments.length - 1] ?? '');
}

const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

const SECRET_SHAPES: Array<{ what: string; pattern: RegExp }> = [
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'an AWS access key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { what: 'a GitHub token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,}\b/ },
  { what: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { what: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
  { what: 'a Stripe key', pattern: /\b[sr]k_live_[A-Za-z0-9]{16,}\b/ },
  { what: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  {
    what: 'a JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
  },
];

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) {
    counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

function looksRandom(value: string): boolean {
  if (value.length < 24 || /\s/.test(value) || value.includes('://')) {
    return false;
  }
  const classes =
    Number(/[a-z]/.test(value)) +
    Number(/[A-Z]/.test(value)) +
    Number(/\d/.test(value)) +
    Number(/[^A-Za-z0-9]/.test(value));
  return classes >= 3 && shannonEntropy(value) >= 4.2;
}

/**
 * Why a plain value looks like a secret, or `undefined`. Never returns the
 * value itself: findings are shown to users and logged.
 */
export function secretValueShape(value: string): string | undefined {
  if (URL_WITH_PASSWORD.test(value)) {
    return 'a URL with a password in it';
  }
  for (const shape of SECRET_SHAPES) {
    if (shape.pattern.test(value)) {
      return shape.what;
    }
  }
  if (looksRandom(value)) {
    return 'a high-entropy string (a generated key or token)';
  }
  return undefined;
}
