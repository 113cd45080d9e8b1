import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

export const HTTP_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * `leshy_http_requests_total{method, route, status}` and
 * `leshy_http_request_duration_seconds{method, route}`, fed by httpMetricsMiddleware. `route`
 * is a route template, never a raw path, so the number of series stays bounded.
 */
@Injectable()
export class HttpRequestsCollector {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'leshy_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'leshy_http_request_duration_seconds',
      help: 'Time from an HTTP request arriving to its answer being sent, by method and route',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS_SECONDS,
      registers: [registry],
    });
  }

  record(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }
}
