import { IsIn, IsNotEmpty, IsObject, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import type { AccessMode, Caps, RegisterAgentRequest } from 'dryad-agent/protocol';

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/;

export class RegisterAgentDto implements RegisterAgentRequest {
  @IsUUID()
  uuid!: string;

  @IsObject()
  caps!: Caps;

  @Matches(HOST_PORT, { message: 'controlAddr must be host:port' })
  controlAddr!: string;

  @Matches(HOST_PORT, { message: 'sshAddr must be host:port' })
  sshAddr!: string;

  @IsString()
  @Matches(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/, {
    message: 'hostKey must be an OpenSSH public key line, e.g. "ssh-ed25519 AAAA…"',
  })
  hostKey!: string;

  @IsIn(['embedded', 'system'])
  accessMode!: AccessMode;

  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  agentVersion!: string;
}

export class ReportFailureDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}
