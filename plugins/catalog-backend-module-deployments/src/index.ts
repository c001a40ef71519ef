/***/
/**
 * The deployments backend module for the catalog plugin.
 *
 * @packageDocumentation
 */

export { catalogModuleDeployments as default } from './module';
export { DeploymentAnnotationsProcessor } from './processor/DeploymentAnnotationsProcessor';
export { EnvironmentEntityProvider } from './provider/EnvironmentEntityProvider';
