import type { INestApplication } from '@nestjs/common';
import { installHttpMetrics } from '../metrics/http-metrics.middleware';
import { installOpenApi } from './openapi';
import { installApiV1 } from './v1/api-v1.module';

/**
 * What the HTTP server has besides the controllers, in order: HTTP metrics first (they time
 * everything), API v1 (it reads its bodies raw, ahead of Nest's parsers), the OpenAPI document.
 * main.ts and the test app both call this, so suites run the server as it is deployed.
 */
export function installHttpLayers(app: INestApplication): void {
  installHttpMetrics(app);
  installApiV1(app);
  installOpenApi(app);
}
