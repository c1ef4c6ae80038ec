export * from './decider';
export * from './errors';
export * from './client-company';
export * from './contact';
export * from './portal-access';
export * from './ids';
