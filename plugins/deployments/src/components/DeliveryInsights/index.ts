export { DeliveryInsightsPanel } from './DeliveryInsightsPanel';
export type { DeliveryInsightsPanelProps } from './DeliveryInsightsPanel';
export { EntityDeliveryInsightsCard } from './EntityDeliveryInsightsCard';
