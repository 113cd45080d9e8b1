/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run`, `npm run migration:generate -- Name`).
 * Same options as the server: configuration comes from the LESHY_* environment variables.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfigFromEnvironment } from './src/config/load-config';
import { dataSourceOptions } from './src/database/data-source-options';

export default new DataSource(dataSourceOptions(loadConfigFromEnvironment()));
