/**
 * Self-service deployments for Backstage: pages, entity tabs and cards.
 *
 * @packageDocumentation
 */

export { deploymentsPlugin as default } from './plugin';
export * from './api';
