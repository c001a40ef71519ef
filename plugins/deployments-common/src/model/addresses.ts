import ipaddr from 'ipaddr.js';

/** Whether `value` is an IPv4 or IPv6 range in CIDR notation. */
export function isCidr(value: string): boolean {
  if (!/^[0-9A-Fa-f.:]+\/\d{1,3}$/.test(value)) return false;
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

const LINK_LOCAL: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [
  ipaddr.parseCIDR('169.254.0.0/16'),
  ipaddr.parseCIDR('fe80::/10'),
];

/** Whether a CIDR lies entirely within a link-local range. */
export function isLinkLocalRange(cidr: string): boolean {
  if (!isCidr(cidr)) return false;
  const [address, bits] = ipaddr.parseCIDR(cidr);
  return LINK_LOCAL.some(
    ([range, rangeBits]) =>
      range.kind() === address.kind() &&
      bits >= rangeBits &&
      address.match([range, rangeBits] as never),
  );
}

/** The cloud metadata endpoints (AWS, GCP, Azure and others; AWS over IPv6). */
const METADATA: Array<ipaddr.IPv4 | ipaddr.IPv6> = [
  ipaddr.parse('169.254.169.254'),
  ipaddr.parse('fd00:ec2::254'),
];

/**
 * The metadata endpoints inside `cidr`, as /32 or /128 ranges to except from
 * it, so that no declared destination opens the metadata endpoint.
 */
export function metadataWithin(cidr: string): string[] {
  if (!isCidr(cidr)) return [];
  const [range, bits] = ipaddr.parseCIDR(cidr);
  return METADATA.filter(
    address =>
      address.kind() === range.kind() && address.match([range, bits] as never),
  ).map(
    address => `${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`,
  );
}
