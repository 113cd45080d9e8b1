/**
 * The structured context of a log line, passed after the message:
 * `this.logger.warn(`worker ${uuid}: prepare failed`, { workerUuid: uuid })`. The text stays
 * readable on a terminal; the fields let a log system find every line about one request or
 * worker. Never put a key, a token or a secret here.
 */
export interface LogFields {
  requestId?: number | string;
  workerUuid?: string;
  tokenId?: number;
  [field: string]: unknown;
}
