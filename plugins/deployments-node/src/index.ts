/**
 * Service refs and extension points of the deployments plugin, for other
 * backend plugins and modules.
 *
 * @packageDocumentation
 */

export * from './DeploymentService';
export * from './policiesExtensionPoint';
