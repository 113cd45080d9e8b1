import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Authenticated } from '../../auth/authenticated.decorator';
import { versionReply, writeV1Reply } from './v1-reply';

/** GET|HEAD /api/v1/version (also reached as /api/v1//version, the Go client's path). */
@Controller('api/v1/version')
@Authenticated()
export class VersionV1Controller {
  @Get()
  version(@Req() req: Request, @Res() res: Response): void {
    writeV1Reply(req, res, versionReply());
  }
}
