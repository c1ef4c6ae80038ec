export * from './mailer';
export * from './invitation-email';
export * from './dates';
export * from './notification-email';
export * from './project-email';
