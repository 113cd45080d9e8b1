import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../../auth/authenticated.decorator';
import { BoardClassStatsService } from '../../../stats/board-class-stats.service';
import { ApiProblems } from '../common/api-problems.decorator';

/** `GET /api/v2/stats/board-classes`: what the dashboard's statistics page shows. */
@ApiTags('stats')
@ApiBearerAuth()
@ApiProblems(401, 403)
@Controller('api/v2/stats')
@Authenticated()
export class StatsController {
  constructor(private readonly stats: BoardClassStatsService) {}

  @Get('board-classes')
  @ApiOperation({
    summary:
      'Per board class: boards idle, used, out of service; requests waiting; median wait, job time and failure rate over a day',
  })
  @ApiOkResponse({ description: 'See docs/dashboard.md, "Board classes"' })
  boardClasses() {
    return this.stats.compute();
  }
}
