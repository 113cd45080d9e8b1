import { Module } from '@nestjs/common';
import { BoardClassStatsService } from '../../../stats/board-class-stats.service';
import { StatsController } from './stats.controller';

/** API v2's statistics: per board class, read from the database on each call. */
@Module({
  controllers: [StatsController],
  providers: [BoardClassStatsService],
})
export class StatsApiModule {}
