import { Controller, Get, Param, ParseIntPipe } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Authenticated } from '../../../auth/authenticated.decorator';
import { InvalidInputError } from '../../../common/domain-error';
import { ExplainService } from '../../../explain/explain.service';
import { ExplanationDto, toExplanationDto } from './explanation.dto';

/** `GET /api/v2/requests/:id/explain`: why a request is (not) scheduled, for any lab user. */
@ApiTags('requests')
@ApiBearerAuth()
@Controller('api/v2/requests')
@Authenticated()
export class ExplainController {
  constructor(private readonly explainer: ExplainService) {}

  @Get(':id/explain')
  @ApiOperation({ summary: 'Why the request is (not) scheduled: queue position, every worker' })
  @ApiOkResponse({ type: ExplanationDto })
  @ApiBadRequestResponse({ description: 'The id is not an integer' })
  @ApiUnauthorizedResponse({ description: 'No credential, or one this server does not accept' })
  @ApiForbiddenResponse({ description: 'Agents may not read requests' })
  @ApiNotFoundResponse({ description: 'No such request' })
  async explain(
    @Param(
      'id',
      new ParseIntPipe({
        exceptionFactory: () =>
          new InvalidInputError('the request id in the path must be an integer'),
      }),
    )
    id: number,
  ): Promise<ExplanationDto> {
    return toExplanationDto(await this.explainer.explain(id));
  }
}
