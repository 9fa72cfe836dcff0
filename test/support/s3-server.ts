import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
// s3rver: an S3-compatible server from npm (real wire protocol: signatures, XML, listing, multi-delete).
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

export interface S3Server {
  endpoint: string;
  /** A client for the server, path-style as S3-compatible stores need. */
  client: S3Client;
  stop(): Promise<void>;
}

/** Starts s3rver on a free port with the given buckets, its data in a fresh temporary folder. */
export async function startS3Server(buckets: string[], options: { corsXml?: string } = {}): Promise<S3Server> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    // A CORS configuration (as S3's PutBucketCors XML) lets a browser page PUT to presigned URLs.
    configureBuckets: buckets.map((name) => ({ name, configs: options.corsXml ? [options.corsXml] : [] })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
