export * from './clock';
export * from './mask';
export * from './common.module';
export * from './shanghai-calendar';
export * from './logging.module';
export * from './request-context';
export * from './shutdown-deadline';
export * from './iso';
