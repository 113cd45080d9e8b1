import { rawRequest, RawResponse } from '../support/http-client';

/**
 * API v1 calls of the chaos clients, across server kills: a call that finds no server
 * (connection refused) was never sent, so it is tried again, on the next instance, until one
 * answers. A call whose connection broke after it was sent has an unknown outcome: `send`
 * retries only when the caller says the call is safe to repeat.
 */
export class ChaosApi {
  /** Answers with status >= 500: the server must never give one. */
  readonly serverErrors: string[] = [];

  constructor(
    private readonly urls: string[],
    /** Calls give up (null) once this is true. */
    private readonly givenUp: () => boolean,
  ) {}

  /**
   * One call, preferring instance `prefer`. Resolves with the answer, or null when the outcome
   * is unknown (the connection broke after sending and `repeatable` is false) or the run gave up.
   * A function as `body` is called for each attempt (a deadline computed when it is sent).
   */
  async send(
    prefer: number,
    method: string,
    path: string,
    body: unknown,
    repeatable: boolean,
  ): Promise<RawResponse | null> {
    for (let attempt = 0; !this.givenUp(); attempt++) {
      const url = this.urls[(prefer + attempt) % this.urls.length];
      try {
        const sent: unknown = typeof body === 'function' ? (body as () => unknown)() : body;
        const answer = await rawRequest(url, method, path, {
          headers: sent === undefined ? {} : { 'Content-Type': 'application/json' },
          body: sent === undefined ? undefined : JSON.stringify(sent),
        });
        if (answer.status >= 500)
          this.serverErrors.push(
            `${method} ${path}: ${answer.status} ${answer.body.slice(0, 300)}`,
          );
        return answer;
      } catch (error) {
        const refused = (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        if (!refused && !repeatable) return null;
        // Every instance refused: wait for one to come back.
        if ((attempt + 1) % this.urls.length === 0) await pause(50);
      }
    }
    return null;
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
