export {
  PolicyPreviewField,
  policyPreviewValidation,
} from './PolicyPreviewField';
