export * from './DeploymentsApi';
export * from './DeploymentsClient';
