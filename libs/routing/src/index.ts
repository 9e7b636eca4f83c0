export * from './routing.module';
export * from './offer-release';
export * from './use-cases/agent-session';
export * from './use-cases/answer-offer';
export * from './use-cases/dispatch-station';
export * from './use-cases/expire-offer';
export * from './use-cases/reconcile';
