import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { V1ExceptionFilter } from './v1-exception.filter';
import { versionReply, writeV1Reply } from './v1-reply';

/** GET|HEAD /api/v1/version (also reached as /api/v1//version, the Go client's path). */
@Controller('api/v1/version')
@UseFilters(V1ExceptionFilter)
export class VersionV1Controller {
  @Get()
  version(@Req() req: Request, @Res() res: Response): void {
    writeV1Reply(req, res, versionReply());
  }
}
