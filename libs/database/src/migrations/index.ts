import { CoreSchema1764400000000 } from './1764400000000-core-schema';

/** Every migration, in order. New migrations are appended here. */
export const MIGRATIONS = [CoreSchema1764400000000];
