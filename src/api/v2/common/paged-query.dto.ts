import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_PAGE_LIMIT } from '../../../common/list-query';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base takes any arguments
type QueryClass = new (...args: any[]) => object;

/**
 * A list route's query: `Base`'s filters plus the page every API v2 list takes (`limit`, and
 * the opaque `cursor` of the previous page's `nextCursor`), validated and documented once.
 */
export function Paged<Base extends QueryClass>(Base: Base, defaultLimit: number) {
  class PagedQuery extends Base {
    @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: defaultLimit })
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(MAX_PAGE_LIMIT)
    limit?: number;

    @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
    @IsOptional()
    @IsString()
    @MaxLength(512)
    cursor?: string;
  }
  return PagedQuery;
}
