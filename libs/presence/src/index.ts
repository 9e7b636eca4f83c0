export * from './agent-state.repository';
export * from './presence.module';
