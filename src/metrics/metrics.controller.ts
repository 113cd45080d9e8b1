import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Anonymous } from '../auth/authenticated.decorator';

/**
 * `GET /metrics`: every metric in Prometheus's text format (docs/metrics.md). Open to anonymous
 * callers, as scrapers are; it shows counts and timings, never an id, key or token.
 */
@Anonymous()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
