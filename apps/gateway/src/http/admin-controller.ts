import { Controller, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';
import { Roles, UserAuthGuard } from '@kapok/auth';

/**
 * A controller of the administration API, `/api/admin/<path>`: signed in (UserAuthGuard), admins only (403 for
 * everyone else), documented under the `admin` tag. What an admin may reach inside is the use-cases' business
 * (libs/admin AdminScope): `forbidden` says in the OpenAPI document when this controller answers 403.
 */
export const AdminController = (
  path: string,
  forbidden = 'Not an admin, or beyond the part of the organisation you administer',
) =>
  applyDecorators(
    ApiTags('admin'),
    ApiBearerAuth(),
    UseGuards(UserAuthGuard),
    Roles('admin'),
    ApiForbiddenResponse({ description: forbidden }),
    Controller(`admin/${path}`),
  );
