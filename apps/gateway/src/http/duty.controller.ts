import { Controller, Get, Param, ParseUUIDPipe, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, UserAuthGuard } from '@kapok/auth';
import { StationDuty } from '@kapok/stats';

const DUTY_EXAMPLE = {
  stationId: '6f1c2d7e-2b0a-4a55-9d61-3f1a8e1c0b11',
  stationName: '北京街社工站',
  day: '2026-12-01',
  at: '2026-12-01T02:00:00.000Z',
  operators: [
    {
      userId: '5c4b3a29-1807-4f6e-9d5c-4b3a29180716',
      username: 'chenxm',
      displayName: '陈晓明',
      extension: '8021',
      state: 'busy',
      signedIn: true,
      contact: {
        contactId: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        channel: 'phone',
        status: 'active',
        since: '2026-12-01T01:58:12.000Z',
      },
      today: { answered: 7, served: 6, highRiskContacts: 1, avgHandleSeconds: 412.5 },
    },
  ],
};

@ApiTags('stats')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('stations/:stationId/duty')
export class DutyController {
  constructor(private readonly duty: StationDuty) {}

  @Get()
  @ApiOperation({
    summary: "A station's operators now, with their figures of today",
    description:
      'Each active operator of the station (where they are on duty, else their home station): state as the live ' +
      'board counts it (available, busy, wrap_up, away, offline), the contact they hold, and today’s answered, ' +
      'served, high-risk contacts and average handle time (Asia/Shanghai day, from the rollups). For anyone whose ' +
      'part of the organisation has the station: operators their own station, coordinators their board’s.',
  })
  @ApiOkResponse({ schema: { example: DUTY_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'Unknown station, or outside your part of the organisation (the same answer)' })
  read(@CurrentUser() user: AuthUser, @Param('stationId', new ParseUUIDPipe()) stationId: string) {
    return this.duty.execute(user, stationId);
  }
}
