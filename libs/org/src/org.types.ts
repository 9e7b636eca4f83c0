// The levels of the tree and the views of `GET /api/org-units` and `GET /api/hotlines` (@kapok/contracts).
export { ORG_LEVELS } from '@kapok/contracts';
export type { HotlineView, OrgLevel, OrgUnitView } from '@kapok/contracts';
