import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { WhoamiDto } from './whoami.schema';

export class OpenSessionDto {
  /** A user token (`lsy_…`); it reaches the server once, in this body, and no script keeps it. */
  @ApiProperty({ example: 'lsy_…', description: 'A user token (agent tokens cannot log in).' })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  token!: string;
}

/** The answer of a login, for the OpenAPI document. */
export class SessionDto extends WhoamiDto {
  @ApiProperty({ description: 'When the session ends (12 h at most, never after the token).' })
  expiresAt!: string;
}
