import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { installHttpLayers } from './api/http-setup';
import { AppModule } from './app.module';
import { FatalStartupError } from './common/fatal-startup-error';
import { installProcessErrorHandlers } from './common/process-error-handlers';
import { ConfigError } from './config/config-error';
import { configSummary } from './config/config-summary';
import { logColorsForThisProcess } from './config/log-colors';
import { configWarningsFromEnvironment, loadConfigFromEnvironment } from './config/load-config';
import { checkPostgresDatabaseExists } from './database/postgres-preflight';

async function main(): Promise<void> {
  const logger = new ConsoleLogger({ colors: logColorsForThisProcess() });
  Logger.overrideLogger(logger);
  installProcessErrorHandlers();
  // Before validation: a misspelt name may be why a variable seems to be missing.
  for (const warning of configWarningsFromEnvironment()) Logger.warn(warning, 'Config');
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
  for (const line of configSummary(config)) Logger.log(line, 'Config');
  await checkPostgresDatabaseExists(config.database);
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: false, logger });
  app.enableShutdownHooks();
  installHttpLayers(app);
  await app.listen(config.http.port, config.http.host);
  Logger.log(
    `Leshy listening on http://${config.http.host}:${config.http.port} (${config.database.kind})`,
    'Main',
  );
}

main().catch((error) => {
  if (error instanceof FatalStartupError) {
    console.error(`Leshy could not start: ${error.message}`);
    process.exit(1);
  }
  console.error(`Leshy could not start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
