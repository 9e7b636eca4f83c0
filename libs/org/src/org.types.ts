export type OrgLevel = 'city' | 'region' | 'district' | 'station' | 'point';
export const ORG_LEVELS: OrgLevel[] = ['city', 'region', 'district', 'station', 'point'];

export interface OrgUnitView {
  id: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
}

export interface HotlineView {
  id: string;
  number: string;
  name: string;
  stationId: string;
}

/**
 * The part of the organisation tree a person is responsible for: the subtree under their home unit
 * (its materialised path) plus, for supervisors, the stations they cover.
 */
export interface OrgScope {
  rootPath: string;
  extraUnitIds: string[];
}
