/**
 * Scaffolder actions of the deployments suite (`deployments:*`), registered
 * by the module (the default export): `backend.add(import(...))`.
 *
 * @packageDocumentation
 */

export { scaffolderModuleDeployments as default } from './module';
