export { EnvironmentPickerField } from './EnvironmentPickerField';
