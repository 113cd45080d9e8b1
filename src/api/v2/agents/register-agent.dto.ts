import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsDialableAddress, IsOpenSshPublicKey } from './agent-address.validators';
import type {
  AccessMode,
  Caps,
  RegisterAgentRequest,
  RegisterAgentResponse,
} from 'dryad-agent/protocol';

export class RegisterAgentDto implements RegisterAgentRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  uuid!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { board: 'rpi4' },
  })
  @IsObject()
  caps!: Caps;

  @ApiProperty({ description: 'host:port of the agent’s SSH server for control commands.' })
  @IsDialableAddress()
  controlAddr!: string;

  @ApiProperty({ description: 'host:port testers are tunnelled to.' })
  @IsDialableAddress()
  sshAddr!: string;

  @ApiProperty({ description: 'The agent’s SSH host key (OpenSSH line), pinned at registration.' })
  @IsString()
  @Matches(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/, {
    message: 'hostKey must be an OpenSSH public key line, e.g. "ssh-ed25519 AAAA…"',
  })
  @IsOpenSshPublicKey()
  hostKey!: string;

  @ApiProperty({ enum: ['embedded', 'system'] })
  @IsIn(['embedded', 'system'])
  accessMode!: AccessMode;

  @ApiProperty({ maxLength: 64 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  agentVersion!: string;
}

export class ReportFailureDto {
  @ApiProperty({ maxLength: 2000, description: 'Why the board failed (shown to admins).' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}

/** RegisterAgentResponse for the OpenAPI document. */
export class RegisterAgentResponseDto implements RegisterAgentResponse {
  @ApiProperty({ description: 'The only key allowed to run control commands (OpenSSH line).' })
  serverPublicKey!: string;
  @ApiProperty({ description: "The worker's state after this registration." })
  state!: string;
}
