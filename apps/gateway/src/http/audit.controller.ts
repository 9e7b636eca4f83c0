import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, Roles, UserAuthGuard } from '@kapok/auth';
import { ReadAuditLog } from '@kapok/records';
import { AuditQuery } from './records.dto';
import { AUDIT_LIST_EXAMPLE } from './records.examples';

@ApiTags('audit')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('audit-log')
export class AuditController {
  constructor(private readonly audit: ReadAuditLog) {}

  @Get()
  @Roles('admin', 'supervisor')
  @ApiOperation({
    summary: 'The audit log of records',
    description:
      'Every create, amendment and review of a record, every read of a full caller number, aid steps and ' +
      'completed follow-ups: who, when, what, from where. Admins read all of it, supervisors the rows about ' +
      'stations in their part of the organisation. Newest first.',
  })
  @ApiOkResponse({ schema: { example: AUDIT_LIST_EXAMPLE } })
  @ApiForbiddenResponse({ description: 'Not an admin or supervisor' })
  find(@CurrentUser() user: AuthUser, @Query() query: AuditQuery) {
    return this.audit.execute(user, query.toFilter());
  }
}
