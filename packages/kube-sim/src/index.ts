/**
 * Node helpers for the local Kubernetes control plane built by tools/kube-sim:
 * start and stop clusters, client configuration, and a Jest global setup.
 *
 * @packageDocumentation
 */

export * from './cluster';
export { getTestCluster } from './jest/testCluster';
export * from './faultProxy';
export * from './seed';
