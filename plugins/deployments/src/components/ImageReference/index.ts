export { ImageReference } from './ImageReference';
