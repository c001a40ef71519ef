export { EntityServiceHealthCard } from './EntityServiceHealthCard';
export type { EntityServiceHealthCardProps } from './EntityServiceHealthCard';
