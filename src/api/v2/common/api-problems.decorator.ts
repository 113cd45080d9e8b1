import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsDto } from './problem-details.schema';

const MEANING: Record<number, string> = {
  400: 'Invalid input: the detail names the field or rule',
  401: 'No credential, or one this server does not know',
  403: 'The caller may not do this',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  410: 'Gone on purpose',
  413: 'Body too large',
  503: 'The database is unavailable; retry',
};

/** Declares the problem+json answers of a route (or of every route of a controller). */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANING[status] ?? 'Problem',
        content: {
          'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } },
        },
      }),
    ),
  );
}
