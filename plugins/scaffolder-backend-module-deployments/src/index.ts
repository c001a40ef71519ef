/**
 * Scaffolder actions of the deployments suite (`deployments:*`).
 *
 * @packageDocumentation
 */

export { scaffolderModuleDeployments as default } from './module';
export { createEnvironmentsAction } from './actions/environments';
export { createDeployAction } from './actions/deploy';
export { createPromoteAction } from './actions/promote';
export { createValidateAction } from './actions/validate';
