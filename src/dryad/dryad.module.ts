import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { DryadPort } from './dryad.port';
import { SshDryadClient } from './ssh-dryad.client';

/** Driving agents: DryadPort is the SSH client (tests of the core replace it with a fake). */
@Module({
  imports: [KeysModule],
  providers: [SshDryadClient, { provide: DryadPort, useExisting: SshDryadClient }],
  exports: [DryadPort, SshDryadClient],
})
export class DryadModule {}
