export {
  ChangeReferenceLink,
  changeReferenceLabel,
} from './ChangeReferenceLink';
