export { CostEstimate, CostChangeText } from './CostEstimate';
