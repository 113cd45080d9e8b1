import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import type { Actor } from '../../../auth/actor';
import { Anonymous, Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import {
  assertDashboardRequest,
  readSessionCookie,
  SESSION_COOKIE,
} from '../../../auth/session-cookie';
import { SessionsService } from '../../../auth/sessions.service';
import { ApiProblems } from '../common/api-problems.decorator';
import { OpenSessionDto, SessionDto } from './session.dto';
import { WhoamiDto } from './whoami.schema';
import { whoamiView } from './whoami-view';

/** HttpOnly: no script reads it. Strict: no other site's page sends it. Secure over HTTPS. */
function cookieOptions(request: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: request.secure };
}

/**
 * The dashboard's login: a token in, an HttpOnly session cookie out (docs/dashboard.md). The
 * token never reaches the page's storage; the session ends at logout, at its expiry, or when its
 * token is revoked.
 */
@ApiTags('identity')
@Controller('api/v2/session')
export class SessionController {
  constructor(private readonly sessions: SessionsService) {}

  /** Logs in: the token is checked like a bearer token, then forgotten. */
  @Post()
  @Anonymous()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in (the dashboard): a token in, an HttpOnly SameSite=Strict session cookie out',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiProblems(400, 401, 403)
  async open(
    @Body() body: OpenSessionDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const session = await this.sessions.open(body.token);
    response.cookie(SESSION_COOKIE, session.secret, {
      ...cookieOptions(request),
      expires: session.expiresAt,
    });
    return { ...whoamiView(session.actor), expiresAt: session.expiresAt.toISOString() };
  }

  /** Who the cookie (or a bearer token) acts for; 401 once the session ended. */
  @Get()
  @Authenticated()
  @ApiBearerAuth()
  @ApiCookieAuth('leshy_session')
  @ApiOperation({ summary: 'Who the session cookie (or a bearer token) acts for' })
  @ApiOkResponse({ type: WhoamiDto })
  @ApiProblems(401, 403)
  whoami(@CurrentActor() actor: Actor) {
    return whoamiView(actor);
  }

  /** Logs out: ends the session (if any) and clears the cookie; 204 either way. */
  @Delete()
  @Anonymous()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Log out: end the session and clear the cookie (needs X-Leshy-Request: 1)',
  })
  @ApiNoContentResponse({ description: 'Logged out (also when there was no session)' })
  @ApiProblems(403)
  async close(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const secret = readSessionCookie(request.headers.cookie);
    if (secret === null) return;
    assertDashboardRequest(request);
    await this.sessions.close(secret);
    response.clearCookie(SESSION_COOKIE, cookieOptions(request));
  }
}
