/**
 * Isomorphic model of the deployments suite: environments and catalog
 * annotations, and later the deployment request schema, manifest rendering
 * and policies.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './environments';
