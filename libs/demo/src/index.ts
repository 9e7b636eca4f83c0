export * from './seed-demo';
export * from './demo.module';
