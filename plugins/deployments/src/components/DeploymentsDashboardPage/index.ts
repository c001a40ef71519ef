export { DeploymentsDashboardPage } from './DeploymentsDashboardPage';
