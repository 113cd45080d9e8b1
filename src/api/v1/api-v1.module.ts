import { INestApplication, Module } from '@nestjs/common';
import { JobsModule } from '../../jobs/jobs.module';
import { RequestsModule } from '../../requests/requests.module';
import { WorkersModule } from '../../workers/workers.module';
import { RequestsV1Controller } from './requests-v1.controller';
import { apiV1FrontDoor } from './v1-front-door.middleware';
import { VersionV1Controller } from './version-v1.controller';
import { WorkersV1Controller } from './workers-v1.controller';

/** Boruta's HTTP API v1, wire compatible with upstream's server: a thin skin over the core. */
@Module({
  imports: [RequestsModule, WorkersModule, JobsModule],
  controllers: [RequestsV1Controller, WorkersV1Controller, VersionV1Controller],
})
export class ApiV1Module {}

/**
 * Puts API v1's front door in front of Nest's router and body parsers. Must be called before
 * the app is initialised (listen/init), because Nest registers its JSON parser at init and v1
 * needs the raw bodies to decode them with Go's rules.
 */
export function installApiV1(app: INestApplication): void {
  app.use(apiV1FrontDoor);
}
