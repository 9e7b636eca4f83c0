export * from './org.types';
export * from './org.repository';
export * from './org-scope';
export * from './org.module';
export * from './demo/guangzhou-tree';
export * from './delivering-stations';
