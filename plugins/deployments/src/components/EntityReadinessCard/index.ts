export { EntityReadinessCard } from './EntityReadinessCard';
export { ReadinessList, readinessScore } from './ReadinessList';
