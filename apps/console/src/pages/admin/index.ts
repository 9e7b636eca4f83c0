/** The 系统管理 screens (one chunk, loaded on demand by App.tsx). */
export { OrgUnitsPage } from './OrgUnits';
export { HotlinesPage } from './Hotlines';
export { AccountsPage } from './Accounts';
export { IntakeKeysPage } from './IntakeKeys';
export { RostersPage } from './Rosters';
export { AuditLogPage } from './AuditLog';
