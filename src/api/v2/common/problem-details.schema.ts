import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ProblemDetails } from './problem-details.filter';

/** ProblemDetails (RFC 9457) for the OpenAPI document: every API v2 error has this body. */
export class ProblemDetailsDto implements ProblemDetails {
  @ApiProperty({ example: 'urn:leshy:problem:not-found' })
  type!: string;

  @ApiProperty({ example: 'Not Found' })
  title!: string;

  @ApiProperty({ example: 404 })
  status!: number;

  @ApiProperty({
    description: 'The field or rule that was broken and, where there is one, what to do.',
  })
  detail!: string;

  @ApiProperty({
    description: 'Stable machine-readable name of the problem.',
    example: 'not-found',
  })
  code!: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Every broken field of a body that failed validation.',
  })
  errors?: string[];
}
