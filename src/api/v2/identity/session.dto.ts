import { IsString, MaxLength, MinLength } from 'class-validator';

export class OpenSessionDto {
  /** A user token (`lsy_…`); it reaches the server once, in this body, and no script keeps it. */
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  token!: string;
}
