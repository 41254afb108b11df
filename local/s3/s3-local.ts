import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import account from 's3rver/lib/models/account.js';

export interface S3LocalOptions {
  readonly host: string;
  readonly port: number;
  /** Where objects are kept (`<ASSENT_HOME>/s3`): they survive restarts. */
  readonly directory: string;
  /** Created at start unless it exists. */
  readonly bucket: string;
  /** The access key the local SDK clients sign with (the local stack uses `local`/`local`). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface S3Local {
  /** `http://<host>:<port>`: an IP address, so the SDK addresses buckets path-style. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * S3 on 127.0.0.1 with s3rver (a Koa server speaking S3's REST protocol, objects on disk), checking
 * signatures made with the local stack's credentials.
 */
export async function startS3Local(options: S3LocalOptions): Promise<S3Local> {
  mkdirSync(options.directory, { recursive: true });
  account.DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  const server = new S3rver({
    address: options.host,
    port: options.port,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket }],
    vhostBuckets: false,
  });
  const { port } = await server.run();
  return { endpoint: `http://${options.host}:${port}`, close: () => server.close() };
}
