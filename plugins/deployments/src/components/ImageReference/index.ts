export { ImageReference } from './ImageReference';
export { VersionChange } from './VersionChange';
