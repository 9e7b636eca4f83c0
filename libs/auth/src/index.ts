export * from './auth.types';
export * from './auth.service';
export * from './auth.module';
export * from './guards';
export * from './intake-key.repository';
export * from './password-hasher';
export * from './user.repository';
