import { DynamicModule, Logger, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { dashboardDirectory, setDashboardHeaders } from './dashboard-files';

/**
 * The web dashboard (web/, built into dist/web) at `/`. ServeStaticModule mounts Express's
 * static middleware after Nest's routes, so it never shadows /api, /metrics, /health or
 * /api/docs. Only files that exist are answered (the dashboard routes by the URL's #fragment,
 * so no path falls back to index.html): every other path, /api/* included, reaches Nest's
 * 404 and is answered in its API's error format. These are not Nest routes, so the auth guard
 * never sees them; the page is public, what it shows comes from the API behind a session.
 */
@Module({})
export class DashboardModule {
  static forRoot(): DynamicModule {
    const rootPath = dashboardDirectory();
    if (!rootPath) {
      new Logger('Dashboard').warn(
        'the web dashboard is not built (dist/web/index.html is missing): run "npm run build"',
      );
      return { module: DashboardModule };
    }
    return {
      module: DashboardModule,
      imports: [
        ServeStaticModule.forRoot({
          rootPath,
          renderPath: '/',
          serveStaticOptions: {
            index: 'index.html',
            fallthrough: true,
            redirect: false,
            setHeaders: setDashboardHeaders,
          },
        }),
      ],
    };
  }
}
