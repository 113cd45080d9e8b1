import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { LESHY_VERSION } from '../common/version';

/** Where the document is served: the browsable UI, and the document itself. */
export const OPENAPI_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs-json';

/** API v2 only: API v1 is upstream Boruta's wire (docs/api-v1.md), not described here. */
const DOCUMENTED_PREFIX = '/api/v2/';

/** The OpenAPI document of API v2, built from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Leshy API v2')
    .setDescription(
      'The native API of Leshy, the board reservation server: requests, workers, events, identity. Errors are application/problem+json (RFC 9457). See docs/api-v2.md.',
    )
    .setVersion(LESHY_VERSION)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'A user token (`lsy_…`) or, for the agent routes, an agent token.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.paths = Object.fromEntries(
    Object.entries(document.paths).filter(([path]) => path.startsWith(DOCUMENTED_PREFIX)),
  );
  return document;
}

/**
 * Serves the document at /api/docs-json and its UI at /api/docs. Called by main.ts and the
 * test app alike, before the app listens. These are plain routes of the HTTP adapter, not
 * controllers: the access guard does not see them, so they answer anyone (the document holds
 * no secret), and they sit outside /api/v1 and /api/v2.
 */
export function installOpenApi(app: INestApplication): void {
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Leshy API v2',
  });
}
