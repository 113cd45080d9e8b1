import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { systemActor } from '../auth/actor';
import { UsersService } from '../auth/users.service';
import { DomainError } from '../common/domain-error';
import { ConfigError } from '../config/config-error';
import { loadConfigFromEnvironment } from '../config/load-config';
import { AdminCliModule } from './admin-cli.module';

const USAGE = `usage: npm run admin -- bootstrap [--name NAME]
       (or: node dist/src/cli/admin.js bootstrap [--name NAME])

bootstrap   creates the first admin (default name: admin) on a server that has none, and
            prints their token once. Uses the same LESHY_* variables as the server (data dir,
            database); the server may be running or not. Refused when an admin exists.`;

/** The admin command line: `bootstrap` prints the first admin's token of a fresh server. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'bootstrap') {
    console.error(USAGE);
    return 2;
  }
  let name = 'admin';
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--name' && rest[i + 1]) name = rest[++i];
    else {
      console.error(`unknown argument ${JSON.stringify(rest[i])}\n${USAGE}`);
      return 2;
    }
  }
  const config = loadConfigFromEnvironment();
  const app = await NestFactory.createApplicationContext(AdminCliModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  try {
    const { user, secret } = await app
      .get(UsersService)
      .bootstrapAdmin(systemActor('bootstrap'), name);
    console.log(
      `Created admin ${user.name}. Their token, shown this once (keep it secret; an admin can issue more):\n${secret}`,
    );
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DomainError) console.error(error.message);
    else console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
