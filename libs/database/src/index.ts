export * from './db';
export * from './db-errors';
export * from './data-source';
export * from './database.module';
export * from './migrations';
