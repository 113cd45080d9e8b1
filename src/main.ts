import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { installHttpLayers } from './api/http-setup';
import { AppModule } from './app.module';
import { FatalStartupError } from './common/fatal-startup-error';
import { installProcessErrorHandlers } from './common/process-error-handlers';
import { ConfigError } from './config/config-error';
import { configSummary } from './config/config-summary';
import { logColorsForThisProcess, stdoutIsTerminal } from './config/log-colors';
import { configWarningsFromEnvironment, loadConfigFromEnvironment } from './config/load-config';
import { checkPostgresDatabaseExists } from './database/postgres-preflight';
import { createPino } from './logging/create-logger';
import { installHttpAccessLog } from './logging/http-access-log';
import { PinoNestLogger } from './logging/pino-nest-logger';

async function main(): Promise<void> {
  // Before validation: a misspelt name may be why a variable seems to be missing.
  const warnings = configWarningsFromEnvironment();
  let config;
  try {
    config = loadConfigFromEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const warning of warnings) console.error(warning);
      console.error(
        `${error.message}\nFix the variables above (see README, "Configuration") and start again.`,
      );
      process.exit(2);
    }
    throw error;
  }
  const pino = createPino(config.log, {
    isTerminal: stdoutIsTerminal(),
    colors: logColorsForThisProcess(),
  });
  const logger = new PinoNestLogger(pino);
  Logger.overrideLogger(logger);
  installProcessErrorHandlers();
  for (const warning of warnings) Logger.warn(warning, 'Config');
  for (const line of configSummary(config)) Logger.log(line, 'Config');
  await checkPostgresDatabaseExists(config.database);
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: false, logger });
  app.enableShutdownHooks();
  // The access log sees every call first (the test app has no pino, so it is not shared).
  installHttpAccessLog(app, pino);
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
