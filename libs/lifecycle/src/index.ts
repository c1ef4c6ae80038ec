export * from './shutdown-signals';
