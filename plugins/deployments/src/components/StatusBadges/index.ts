export {
  DeploymentStatusBadge,
  HealthStateBadge,
  ProbeStatusBadge,
} from './StatusBadges';
