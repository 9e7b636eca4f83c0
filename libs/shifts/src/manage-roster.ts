import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { STATION_KEEPER_ROLES } from '@kapok/contracts';
import { Db } from '@kapok/database';
import { OrgAccess } from '@kapok/org';
import { parseRosterCsv } from './roster-csv';
import { ShiftRepository, ShiftView, toShiftView } from './shift.repository';

const MAX_SHIFT_HOURS = 24;

/** A station's roster: read by anyone responsible for the station, changed by its coordinators and admins. */
@Injectable()
export class ManageRoster {
  constructor(
    private readonly db: Db,
    private readonly shifts: ShiftRepository,
    private readonly access: OrgAccess,
  ) {}

  async list(user: AuthUser, stationId: string, from: Date, to: Date): Promise<ShiftView[]> {
    await this.station(user, stationId);
    if (to <= from) throw new BadRequestException('to must be after from');
    if (to.getTime() - from.getTime() > 62 * 24 * 3600 * 1000)
      throw new BadRequestException('from–to spans at most 62 days');
    return (await this.shifts.list(stationId, from, to)).map(toShiftView);
  }

  async create(
    user: AuthUser,
    stationId: string,
    s: { workerId: string; startsAt: Date; endsAt: Date },
  ): Promise<ShiftView> {
    await this.station(user, stationId, true);
    this.checkTimes(s.startsAt, s.endsAt, 'startsAt/endsAt');
    const operators = await this.shifts.operatorsOf(stationId);
    if (![...operators.values()].includes(s.workerId))
      throw new BadRequestException('workerId is not an operator of this station');
    return toShiftView(await this.shifts.create({ stationId, ...s, createdBy: user.id }));
  }

  async remove(user: AuthUser, shiftId: string): Promise<void> {
    const shift = await this.shifts.find(shiftId);
    if (!shift) throw new NotFoundException('Shift not found');
    await this.station(user, shift.station_id, true);
    await this.shifts.delete(shiftId);
  }

  /**
   * Imports a roster CSV (see roster-csv.ts) all or nothing: any bad line is a 400 naming every problem, and nothing
   * is written. With `replace`, the station's shifts starting in the imported period are replaced. More than
   * MAX_ROSTER_ROWS shifts is a 413 naming the cap.
   */
  async import(
    user: AuthUser,
    stationId: string,
    csv: string,
    replace: boolean,
  ): Promise<{ imported: number; replaced: number }> {
    await this.station(user, stationId, true);
    const { shifts, errors, overCap } = parseRosterCsv(csv);
    if (overCap) throw new PayloadTooLargeException(errors[0]);
    const operators = await this.shifts.operatorsOf(stationId);
    for (const s of shifts) {
      if (!operators.has(s.username)) errors.push(`line ${s.line}: ${s.username} is not an operator of this station`);
      else if (s.endsAt.getTime() - s.startsAt.getTime() > MAX_SHIFT_HOURS * 3600 * 1000) {
        errors.push(`line ${s.line}: a shift lasts at most ${MAX_SHIFT_HOURS} hours`);
      }
    }
    if (errors.length) throw new BadRequestException(errors.slice(0, 50));
    return this.db.tx(async (tx) => {
      let replaced = 0;
      if (replace && shifts.length) {
        const from = new Date(Math.min(...shifts.map((s) => s.startsAt.getTime())));
        const to = new Date(Math.max(...shifts.map((s) => s.startsAt.getTime())) + 1);
        replaced = await this.shifts.deleteBetween(tx, stationId, from, to);
      }
      for (const s of shifts) {
        await this.shifts.create(
          {
            stationId,
            workerId: operators.get(s.username)!,
            startsAt: s.startsAt,
            endsAt: s.endsAt,
            createdBy: user.id,
          },
          tx,
        );
      }
      return { imported: shifts.length, replaced };
    });
  }

  private checkTimes(startsAt: Date, endsAt: Date, field: string): void {
    if (endsAt <= startsAt) throw new BadRequestException(`${field}: endsAt must be after startsAt`);
    if (endsAt.getTime() - startsAt.getTime() > MAX_SHIFT_HOURS * 3600 * 1000) {
      throw new BadRequestException(`${field}: a shift lasts at most ${MAX_SHIFT_HOURS} hours`);
    }
  }

  /** The station, if it is one and within the person's scope (404 otherwise, as if it did not exist). */
  private async station(user: AuthUser, stationId: string, edit = false): Promise<void> {
    if (!(await this.access.stationInScope(user, stationId))) throw new NotFoundException('Station not found');
    if (edit && !STATION_KEEPER_ROLES.includes(user.role))
      throw new ForbiddenException('Only coordinators and admins change rosters');
  }
}
