/**
 * A cluster of `kubernetes.clusterLocatorMethods[].clusters` that the
 * portal reaches with a service account token, as `./portal start` sets it up.
 */
export function serviceAccountCluster(options: {
  name: string;
  url: string;
  token: string;
  /** The cluster's CA certificate (base64), e.g. `caData(cluster)`. */
  ca: string;
}) {
  return {
    name: options.name,
    url: options.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: options.token,
    caData: options.ca,
  };
}
