import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { JobsService } from '../../../jobs/jobs.service';
import { RequestsService } from '../../../requests/requests.service';
import { RequestWaiter } from '../../../requests/request-waiter';
import {
  CreateRequestDto,
  GetRequestQueryDto,
  ListRequestsQueryDto,
  UpdateRequestDto,
} from './request-input.dto';
import { decodeCursor, encodeCursor } from './request-cursor';
import { parseStates, parseWaitTimeout, sortSpecOf, timeOf } from './request-query';
import {
  AcquireDto,
  RequestDto,
  RequestPageDto,
  toAcquireDto,
  toRequestDto,
} from './request-view.dto';

const DEFAULT_PRIORITY = 8;
const DEFAULT_LIMIT = 50;
const PROBLEM = 'application/problem+json naming the field or rule';

/**
 * API v2's requests, thin over RequestsService (who may do what is the service's decision:
 * any lab user reads, the owner or an admin changes) and RequestWaiter (waitFor).
 */
@ApiTags('requests')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or bad credential' })
@ApiForbiddenResponse({ description: 'Not allowed for this caller (problem+json says why)' })
@Controller('api/v2/requests')
@Authenticated()
export class RequestsV2Controller {
  constructor(
    private readonly requests: RequestsService,
    private readonly jobs: JobsService,
    private readonly waiter: RequestWaiter,
  ) {}

  @Post()
  @ApiOperation({ summary: 'File a request' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 255 chars; the same key and body within 24 h answer the same request.',
  })
  @ApiCreatedResponse({
    type: RequestDto,
    description: 'The request (again, with `Idempotency-Replayed: true`, for a replayed key).',
  })
  @ApiBadRequestResponse({ description: PROBLEM })
  @ApiConflictResponse({ description: 'idempotency-key-reused: the key filed another body' })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RequestDto> {
    const input = {
      caps: body.caps,
      priority: body.priority ?? DEFAULT_PRIORITY,
      validAfter: timeOf(body.validAfter),
      deadline: timeOf(body.deadline),
      publicKey: body.publicKey ?? null,
    };
    const filed = await this.requests.createDetailed(input, actor, idempotencyKey ?? null);
    if (filed.replayed) res.setHeader('Idempotency-Replayed', 'true');
    return toRequestDto(filed.details);
  }

  @Get()
  @ApiOperation({ summary: 'List requests (filters, sort, cursor paging)' })
  @ApiOkResponse({ type: RequestPageDto })
  @ApiBadRequestResponse({ description: PROBLEM })
  async list(
    @CurrentActor() actor: Actor,
    @Query() query: ListRequestsQueryDto,
  ): Promise<RequestPageDto> {
    const sort = query.sort ?? 'id';
    const border = query.cursor === undefined ? null : decodeCursor(query.cursor, sort);
    const page = await this.requests.list(
      {
        ...(query.state === undefined ? {} : { states: parseStates(query.state, 'state') }),
        ...(query.priority === undefined ? {} : { priorities: [query.priority] }),
        ...(query.worker === undefined ? {} : { workerUuids: [query.worker] }),
        ...(query.owner === undefined ? {} : { ownerName: query.owner }),
      },
      sortSpecOf(sort),
      { border, direction: 'forward', limit: query.limit ?? DEFAULT_LIMIT },
      actor,
    );
    const last = page.items.at(-1);
    return {
      items: page.items.map(toRequestDto),
      nextCursor: last && page.remaining > 0 ? encodeCursor(last.request.id, sort) : null,
      total: page.total,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One request; with waitFor, answers once it is in one of the states' })
  @ApiOkResponse({
    type: RequestDto,
    description: 'With waitFor: header `Wait-Result: reached | unreachable | timeout`.',
  })
  @ApiBadRequestResponse({ description: PROBLEM })
  @ApiNotFoundResponse({ description: 'No such request' })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: GetRequestQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RequestDto> {
    if (query.waitFor === undefined) {
      if (query.timeout !== undefined) parseWaitTimeout(query.timeout);
      return toRequestDto(await this.requests.get(id, actor));
    }
    const wanted = parseStates(query.waitFor, 'waitFor');
    const timeoutMs = parseWaitTimeout(query.timeout);
    // The client going away ends the wait (and its listener) at once.
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.once('close', onClose);
    req.socket.setTimeout(0);
    try {
      const { details, result } = await this.waiter.waitFor(
        id,
        wanted,
        timeoutMs,
        actor,
        gone.signal,
      );
      res.setHeader('Wait-Result', result);
      return toRequestDto(details);
    } finally {
      res.off('close', onClose);
    }
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change priority, validAfter or deadline of a WAITING request' })
  @ApiOkResponse({ type: RequestDto })
  @ApiBadRequestResponse({ description: PROBLEM })
  @ApiConflictResponse({ description: 'Not WAITING (action-not-allowed-in-state)' })
  @ApiNotFoundResponse({ description: 'No such request' })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: UpdateRequestDto,
  ): Promise<RequestDto> {
    await this.requests.update(
      id,
      {
        priority: body.priority ?? null,
        validAfter: timeOf(body.validAfter),
        deadline: timeOf(body.deadline),
      },
      actor,
    );
    return toRequestDto(await this.requests.get(id, actor));
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close: WAITING → CANCELLED, IN PROGRESS → DONE' })
  @ApiOkResponse({ type: RequestDto })
  @ApiConflictResponse({ description: 'Not WAITING nor IN PROGRESS (action-not-allowed-in-state)' })
  @ApiNotFoundResponse({ description: 'No such request' })
  async close(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<RequestDto> {
    return toRequestDto(await this.requests.closeDetailed(id, actor));
  }

  @Post(':id/acquire')
  @HttpCode(200)
  @ApiOperation({ summary: "Access to the running job: tunnel, user name, key (or 'your own')" })
  @ApiOkResponse({ type: AcquireDto })
  @ApiConflictResponse({ description: 'No running job (worker-not-assigned)' })
  @ApiNotFoundResponse({ description: 'No such request' })
  async acquire(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<AcquireDto> {
    return toAcquireDto(await this.jobs.acquire(id, actor, 'own-key-if-any'));
  }

  @Post(':id/prolong')
  @HttpCode(200)
  @ApiOperation({ summary: "The job's timeout starts again from now" })
  @ApiOkResponse({ type: RequestDto })
  @ApiConflictResponse({
    description: 'No running job (worker-not-assigned), or the prolong limit is reached',
  })
  @ApiNotFoundResponse({ description: 'No such request' })
  async prolong(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<RequestDto> {
    await this.jobs.prolong(id, actor);
    return toRequestDto(await this.requests.get(id, actor));
  }
}
