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
