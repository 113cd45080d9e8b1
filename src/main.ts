import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { installApiV1 } from './api/v1/api-v1.module';
import { AppModule } from './app.module';
import { ConfigError } from './config/config-error';
import { loadConfigFromEnvironment } from './config/load-config';
import { installHttpMetrics } from './metrics/http-metrics.middleware';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfigFromEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(
        `${error.message}\nFix the variables above (see README, "Configuration") and start again.`,
      );
      process.exit(2);
    }
    throw error;
  }
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: false });
  app.enableShutdownHooks();
  installHttpMetrics(app);
  installApiV1(app);
  await app.listen(config.http.port, config.http.host);
  Logger.log(
    `Leshy listening on http://${config.http.host}:${config.http.port} (${config.database.kind})`,
    'Main',
  );
}

main().catch((error) => {
  console.error(`Leshy could not start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
