export { NotificationFailuresAlert } from './NotificationFailuresAlert';
