import { Controller, Get } from '@nestjs/common';
import { Authenticated } from '../../../auth/authenticated.decorator';
import { BoardClassStatsService } from '../../../stats/board-class-stats.service';

/** `GET /api/v2/stats/board-classes`: what the dashboard's statistics page shows. */
@Controller('api/v2/stats')
@Authenticated()
export class StatsController {
  constructor(private readonly stats: BoardClassStatsService) {}

  @Get('board-classes')
  boardClasses() {
    return this.stats.compute();
  }
}
