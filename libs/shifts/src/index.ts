export * from './coverage-watch';
export * from './manage-roster';
export * from './roster-csv';
export * from './shift.repository';
export * from './shifts.module';
