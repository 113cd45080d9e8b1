import { Module } from '@nestjs/common';
import { DryadModule } from '../dryad/dryad.module';
import { KeysModule } from '../keys/keys.module';
import { JobsService } from './jobs.service';
import { TunnelService } from './tunnel.service';

@Module({
  imports: [KeysModule, DryadModule],
  providers: [JobsService, TunnelService],
  exports: [JobsService, TunnelService],
})
export class JobsModule {}
