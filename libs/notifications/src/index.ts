export * from './mailer';
export * from './invitation-email';
