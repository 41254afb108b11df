import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { localClient } from '../../local/dynamodb/dynamodb-local.ts';
import { type RunningStack, spawnStack } from '../support/spawn-stack.ts';

/**
 * Archive, nothing lost: a finished task stays ASSENT_TTL_MINUTES, then the local TTL sweeper
 * deletes it, the stream consumer hands the removal to the archiver, and the task is in the local
 * S3 bucket under archive/yyyy/mm/dd/ as one JSON line.
 */
interface ArchiveLine {
  readonly sequenceNumber: string;
  readonly removedAt: string;
  readonly item: Record<string, unknown>;
}

const until = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('archiving finished tasks (local stack)', () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-archive-'));
  let stack: RunningStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 30_000);

  it('deletes a cancelled task once its TTL passed and archives it as exactly one JSON line', async () => {
    // Prepare: finished tasks expire after ~1 s; the sweeper runs every second.
    const zero = { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0' };
    stack = await spawnStack(home, zero, { ASSENT_TTL_MINUTES: '0.02', ASSENT_SWEEP_SECONDS: '1' });
    const { api, adminToken, services } = stack.endpoints;
    const dynamodb = localClient(services.dynamodb);
    const s3 = new S3Client({ endpoint: services.s3, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const created = await fetch(`${api}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'sign-up', data: { email: 'archived@example.com', projectName: 'archived' } }),
    });
    const { id } = (await created.json()) as { id: string };

    // Act
    const cancelled = await fetch(`${api}/v1/tasks/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Archive me.' }),
    });
    await until('the task item was not deleted', async () => {
      const { Item } = await dynamodb.send(new GetItemCommand({ TableName: services.tableName, Key: { pk: { S: `TASK#${id}` }, sk: { S: 'TASK' } } }));
      return Item ? undefined : true;
    });
    const lines = await until('the task was not archived', async () => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: services.archiveBucket, Prefix: 'archive/' }));
      const found: { key: string; line: ArchiveLine }[] = [];
      for (const object of (listed.Contents ?? []).filter((candidate) => !candidate.Key?.startsWith('archive/index/'))) {
        const body = await (await s3.send(new GetObjectCommand({ Bucket: services.archiveBucket, Key: object.Key }))).Body?.transformToString();
        const parsed = (body ?? '').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ArchiveLine);
        found.push(...parsed.filter((line) => line.item.pk === `TASK#${id}`).map((line) => ({ key: object.Key ?? '', line })));
      }
      return found.length > 0 ? found : undefined;
    });

    // Assess
    expect(cancelled.status).toBe(200);
    expect(lines).toHaveLength(1);
    const [{ key, line }] = lines as [{ key: string; line: ArchiveLine }];
    const day = line.removedAt.slice(0, 10).replaceAll('-', '/');
    expect(key).toMatch(new RegExp(`^archive/${day}/${line.sequenceNumber}-\\d+\\.jsonl$`));
    expect(line.item).toMatchObject({ pk: `TASK#${id}`, sk: 'TASK', id, type: 'sign-up', status: 'cancelled' });
    expect(typeof line.item.expiresAt).toBe('number');
    const read = await until('the archive index was not written', async () => {
      const response = await fetch(`${stack?.endpoints.api}/v1/tasks/${id}`, { headers: { authorization: `Bearer ${adminToken}` } });
      const problem = JSON.parse(await response.text()) as { type: string; location?: string };
      return problem.type.endsWith('/archived') ? { status: response.status, problem } : undefined;
    });
    expect(read.status).toBe(404);
    expect(read.problem.location).toBe(`s3://${services.archiveBucket}/${key}`);
  }, 240_000);
});
