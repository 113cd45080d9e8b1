import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService } from '@nestjs/core';
import type { TestApp } from './test-app';

/** One route a controller declares. */
export interface ServedRoute {
  method: string;
  /** Nest's pattern: `/api/v2/users/:id`. */
  path: string;
  controller: new (...args: never[]) => unknown;
  handler: string;
}

/** Every route the app's controllers declare (Nest's discovery), except those of `skip`. */
export function servedRoutes(
  t: TestApp,
  skip: ReadonlyArray<new (...args: never[]) => unknown> = [],
): ServedRoute[] {
  const routes: ServedRoute[] = [];
  for (const wrapper of t.app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (new () => unknown) | null;
    if (!controller || skip.includes(controller)) continue;
    const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const full = `/${base}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
      routes.push({ method, path: full, controller, handler: name });
    }
  }
  return routes;
}
