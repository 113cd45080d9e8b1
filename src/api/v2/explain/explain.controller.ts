import { Controller, Get, Param, ParseIntPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../../auth/authenticated.decorator';
import { InvalidInputError } from '../../../common/domain-error';
import { ExplainService } from '../../../explain/explain.service';
import { ApiProblems } from '../common/api-problems.decorator';
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
  @ApiProblems(400, 401, 403, 404)
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
