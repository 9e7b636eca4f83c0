import type { OrgLevel } from './enums';

/** `GET /api/org-units`: one unit of the tree (city → region → district → station → point). */
export interface OrgUnitView {
  id: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
}

/** `GET /api/hotlines`: a line, at a station. */
export interface HotlineView {
  id: string;
  number: string;
  name: string;
  stationId: string;
}
