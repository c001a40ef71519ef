export { devSignInModule } from './devSignInModule';
