import { Get, Query } from '@nestjs/common';
import { AdminController } from './admin-controller';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsUUID, ValidateIf } from 'class-validator';
import { AdminAuditFilter, ReadAdminAuditLog } from '@kapok/admin';
import { AuthUser, CurrentUser } from '@kapok/auth';
import { ADMIN_AUDIT_ACTIONS } from '@kapok/records';
import { IsRangeBound, List, PageQuery, bound } from './records.dto';

const optional = () => ValidateIf((_: object, v: unknown) => v !== undefined);

class AdminAuditQuery extends PageQuery {
  @ApiPropertyOptional({
    example: 'admin.org_unit.update',
    description: `Comma-separated: ${ADMIN_AUDIT_ACTIONS.join(', ')}`,
  })
  @optional()
  @List()
  @IsArray()
  @ArrayMaxSize(20)
  @IsIn(ADMIN_AUDIT_ACTIONS, { each: true, message: `action must be among ${ADMIN_AUDIT_ACTIONS.join(', ')}` })
  action?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Who made the change' })
  @optional()
  @IsUUID('all', { message: 'actorId must be a UUID' })
  actorId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The unit, line, key or account changed' })
  @optional()
  @IsUUID('all', { message: 'subjectId must be a UUID' })
  subjectId?: string;

  @ApiPropertyOptional({ example: '2026-11-01' })
  @optional()
  @IsRangeBound()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Day inclusive' })
  @optional()
  @IsRangeBound()
  to?: string;

  toFilter(): AdminAuditFilter {
    return {
      action: this.action,
      actorId: this.actorId,
      subjectId: this.subjectId,
      from: bound(this.from, false),
      to: bound(this.to, true),
      ...this.paging(),
    };
  }
}

const AUDIT_EXAMPLE = {
  items: [
    {
      id: '1042',
      at: '2026-11-21T02:00:00.000Z',
      actorId: '5c4b3a29-1807-4f6e-9d5c-4b3a29180716',
      actorName: '系统管理员',
      actorRole: 'admin',
      action: 'admin.org_unit.update',
      subjectType: 'org_unit',
      subjectId: '6f1c2d7e-2b0a-4a55-9d61-3f1a8e1c0b11',
      unitId: '6f1c2d7e-2b0a-4a55-9d61-3f1a8e1c0b11',
      detail: { before: { name: '北京街站' }, after: { name: '北京街社工站' } },
      ip: '10.0.0.8',
      userAgent: 'Mozilla/5.0',
    },
  ],
  total: 1,
  page: 1,
  pageSize: 20,
};

@AdminController('audit-log')
export class AdminAuditController {
  constructor(private readonly audit: ReadAdminAuditLog) {}

  @Get()
  @ApiOperation({
    summary: 'Administration changes in your part of the organisation',
    description:
      'Every change made through /api/admin (units, lines, intake keys, accounts): who, what, before → after ' +
      '(detail.before, detail.after), when, from where (ip, user agent). Newest first.',
  })
  @ApiOkResponse({ schema: { example: AUDIT_EXAMPLE } })
  find(@CurrentUser() user: AuthUser, @Query() query: AdminAuditQuery) {
    return this.audit.execute(user, query.toFilter());
  }
}
