export * from './alerts.module';
export * from './use-cases/acknowledge-risk-alert';
export * from './use-cases/list-risk-alerts';
export * from './use-cases/raise-risk-alert';
