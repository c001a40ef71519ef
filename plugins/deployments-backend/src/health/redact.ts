/** The URL without user name and password. */
export function redact(url: URL): string {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return copy.toString();
}

/** Credentials cut out of a string that is not a parseable URL. */
export function withoutCredentials(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//');
}
