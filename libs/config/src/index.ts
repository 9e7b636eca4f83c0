export * from './config.schema';
export * from './kapok-config.module';
export * from './secrets';
export * from './wechat-config';
