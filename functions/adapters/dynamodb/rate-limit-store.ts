import type { RateLimitHit, RateLimits } from '#ports/rate-limits';
import { windowOf } from '#ports/rate-limits';
import { keys, SingleTable, type SingleTableOptions } from './table.ts';

export type DynamoDbRateLimitsOptions = SingleTableOptions;

/**
 * One counter item per key and window: `LIMIT#<key>#<window index>` / `LIMIT`, incremented with an
 * atomic ADD (one write unit whatever the traffic) and removed by TTL a minute after its window.
 */
export class DynamoDbRateLimits implements RateLimits {
  private readonly table: SingleTable;

  constructor(options: DynamoDbRateLimitsOptions) {
    this.table = new SingleTable(options);
  }

  async hit(key: string, windowSeconds: number, at: string): Promise<RateLimitHit> {
    const window = windowOf(Date.parse(at), windowSeconds);
    const { item } = await this.table.update(
      {
        TableName: this.table.name,
        Key: keys.rateLimit(`${key}#${window.index}`),
        UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': Math.floor(Date.parse(window.resetsAt) / 1000) + 60 },
      },
      'Counting a request',
    );
    return { count: Number(item?.hits ?? 1), resetsAt: window.resetsAt };
  }
}
