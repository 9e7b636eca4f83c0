import {
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { AuthService, Roles, UserAuthGuard } from '@kapok/auth';
import {
  PASS_TTL_SECONDS,
  QUEUE_DASHBOARD_COOKIE,
  QUEUE_DASHBOARD_PATH,
  QueueDashboard,
  QueueDashboardPasses,
  TICKET_TTL_SECONDS,
} from './queue-dashboard';

/**
 * How an admin opens the queue dashboard (bull-board, QueueDashboard) in a browser, which sends no Bearer header
 * when it navigates: a sealed pass in an HttpOnly cookie for the dashboard's path only, SameSite=Lax (no other site
 * can make the browser use it for anything but opening the page), Secure over TLS, for 30 minutes.
 * - `POST …/session` (Bearer, admin): sets the cookie (a console or a `fetch` in the browser) and answers a
 *   one-time link valid for a minute, to paste into a browser when the token came from curl;
 * - `GET …/session/:ticket`: the one-time link: sets the cookie and goes to the dashboard;
 * - `DELETE …/session`: removes the cookie.
 */
@ApiTags('admin')
@Controller('admin/queues/session')
export class QueueDashboardController {
  constructor(
    private readonly dashboard: QueueDashboard,
    private readonly passes: QueueDashboardPasses,
    private readonly auth: AuthService,
  ) {}

  @Post()
  @HttpCode(200)
  @UseGuards(UserAuthGuard)
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Opens the queue dashboard in this browser (cookie) and answers a one-time link for another browser',
  })
  async open(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const token = req.headers.authorization!.slice(7).trim(); // UserAuthGuard has checked it
    const pass = this.passes.seal('pass', token, PASS_TTL_SECONDS);
    res.cookie(QUEUE_DASHBOARD_COOKIE, pass.value, this.cookie(req, PASS_TTL_SECONDS));
    const ticket = this.passes.seal('ticket', token, TICKET_TTL_SECONDS);
    return {
      url: `${QUEUE_DASHBOARD_PATH}/`,
      openUrl: `${QUEUE_DASHBOARD_PATH}/session/${ticket.value}`,
      openUrlExpiresAt: ticket.expiresAt.toISOString(),
      expiresAt: pass.expiresAt.toISOString(),
      readOnly: true,
    };
  }

  @Get(':ticket')
  @ApiOperation({ summary: 'The one-time link: sets the dashboard cookie and redirects to the dashboard' })
  async redeem(@Param('ticket') ticket: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const token = await this.dashboard.redeem(ticket);
    if (!token) throw new UnauthorizedException('This link is used or expired: ask for a new one (POST …/session)');
    const { user } = await this.auth.authenticateSession(token);
    if (user.role !== 'admin') throw new ForbiddenException('The queue dashboard is for admins');
    const pass = this.passes.seal('pass', token, PASS_TTL_SECONDS);
    res.cookie(QUEUE_DASHBOARD_COOKIE, pass.value, this.cookie(req, PASS_TTL_SECONDS));
    res.redirect(303, `${QUEUE_DASHBOARD_PATH}/`);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Removes the dashboard cookie from this browser' })
  close(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.clearCookie(QUEUE_DASHBOARD_COOKIE, this.cookie(req));
  }

  private cookie(req: Request, maxAgeSeconds?: number): CookieOptions {
    return {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: QUEUE_DASHBOARD_PATH,
      ...(maxAgeSeconds ? { maxAge: maxAgeSeconds * 1000 } : {}),
    };
  }
}
