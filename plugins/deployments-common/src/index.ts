/**
 * Isomorphic core of the deployments suite: environments, the deployment
 * request model, manifest rendering and the policy engine. Runs in the
 * backend and in the browser.
 *
 * @packageDocumentation
 */

export * from './model/annotations';
export * from './model/environments';
export * from './config/readConfiguredEnvironments';
export * from './model/kubernetes';
export * from './model/request';
export * from './model/records';
export * from './model/templateForm';
export * from './model/api';
export * from './model/views';
export * from './model/governance';
export * from './model/readiness';
export * from './permissions';
export * from './errors';
export * from './render/renderManifests';
export * from './policies/types';
export * from './policies/engine';
export * from './policies/builtin';
export * from './policies/costBudget';
export * from './cost/estimateCost';
export { isSecretName, secretValueShape } from './policies/secrets';
export * from './validateDeployment';
