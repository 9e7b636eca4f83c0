import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ReceiveWechatPush, VerifyWechatUrl, WechatPushQuery, readPushBody } from '@kapok/wechat';

/**
 * The webhook of a WeChat Official Account (服务器地址 URL: `https://<host>/api/wechat/<AppID>`), docs/wechat.md.
 * No sign-in: WeChat proves itself with the account's signature. 404 for an account not in WECHAT_ACCOUNTS.
 */
@ApiTags('wechat')
@Controller('wechat')
export class WechatController {
  constructor(
    private readonly verifyUrl: VerifyWechatUrl,
    private readonly receivePush: ReceiveWechatPush,
  ) {}

  @Get(':appId')
  @ApiOperation({ summary: 'URL verification: answers echostr when the signature is the account’s' })
  @ApiOkResponse({ description: 'echostr, as text/plain' })
  @ApiUnauthorizedResponse({ description: 'Bad or old signature' })
  @ApiNotFoundResponse({ description: 'No such account configured' })
  verify(
    @Param('appId') appId: string,
    @Query() query: WechatPushQuery,
    @Res({ passthrough: true }) res: Response,
  ): string {
    const echo = this.verifyUrl.execute(appId, query);
    res.type('text/plain');
    return echo;
  }

  @Post(':appId')
  @HttpCode(200)
  @ApiOperation({ summary: 'A push of WeChat (text/xml, plain or 安全模式): success, or a passive reply' })
  @ApiOkResponse({ description: '`success`, or a passive reply (XML)' })
  @ApiUnauthorizedResponse({ description: 'Bad or old signature, or an encrypted body that is not the account’s' })
  @ApiBadRequestResponse({ description: 'Malformed XML, a DOCTYPE or entity declaration, a missing field' })
  @ApiPayloadTooLargeResponse({ description: 'Over 64 KB' })
  @ApiNotFoundResponse({ description: 'No such account configured' })
  async receive(
    @Param('appId') appId: string,
    @Query() query: WechatPushQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const answer = await this.receivePush.execute(appId, query, () => readPushBody(req));
    res.type(answer === 'success' ? 'text/plain' : 'application/xml');
    return answer;
  }
}
