import { IsIn, IsNotEmpty, IsObject, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsDialableAddress, IsOpenSshPublicKey } from './agent-address.validators';
import type { AccessMode, Caps, RegisterAgentRequest } from 'dryad-agent/protocol';

export class RegisterAgentDto implements RegisterAgentRequest {
  @IsUUID()
  uuid!: string;

  @IsObject()
  caps!: Caps;

  @IsDialableAddress()
  controlAddr!: string;

  @IsDialableAddress()
  sshAddr!: string;

  @IsString()
  @Matches(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/, {
    message: 'hostKey must be an OpenSSH public key line, e.g. "ssh-ed25519 AAAA…"',
  })
  @IsOpenSshPublicKey()
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
