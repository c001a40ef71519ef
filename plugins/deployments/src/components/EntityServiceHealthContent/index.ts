export { EntityServiceHealthContent } from './EntityServiceHealthContent';
export type { EntityServiceHealthContentProps } from './EntityServiceHealthContent';
