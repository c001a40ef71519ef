/**
 * Scaffolder actions of the deployments suite (`deployments:*`).
 *
 * @packageDocumentation
 */

export { scaffolderModuleDeployments as default } from './module';
export { createEnvironmentsAction } from './actions/environments';
