// The S3 client from the configuration, and the start-up check of the bucket: a store that cannot
// be used should stop `reelhouse serve` with a message that names the setting to fix, not fail
// the first upload an hour later.
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../config.ts';

/** The blob store at S3 cannot be used as configured; the message says which setting to fix. */
export class S3Unavailable extends Error {}

const ignore = (): void => undefined;
const QUIET = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * A client for `endpoint` (the configured one, or the public one presigned URLs are made for).
 * Checksums only when S3 requires them: the SDK's default (CRC32 on every upload, sent as an
 * aws-chunked trailer) is what S3-compatible stores (Swift, older MinIO, Ceph) reject, and it puts
 * a checksum of an empty body into presigned PUT URLs.
 */
export function s3Client(config: S3Config, endpoint = config.endpoint): S3Client {
  return new S3Client({
    region: config.region,
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK would print a warning to the console for every upload cut short by its client;
    // the failure itself reaches the caller as an error, which is where it is reported.
    logger: QUIET,
    // An endpoint that swallows packets should fail the start-up check, not hang it.
    requestHandler: { connectionTimeout: 10_000 },
  });
}

function describe(err: unknown, config: S3Config): string {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const where = config.endpoint ?? `AWS S3 (${config.region})`;
  const bucket = `S3_BUCKET=${config.bucket}`;
  switch (e.name) {
    case 'NoSuchBucket':
      return `the bucket does not exist at ${where} (${bucket}): create it (for example \`aws s3 mb s3://${config.bucket}\`) or name an existing one`;
    case 'InvalidAccessKeyId':
      return `${where} does not know the access key S3_ACCESS_KEY_ID=${config.accessKeyId ?? '(from the AWS environment)'}`;
    case 'SignatureDoesNotMatch':
      return `${where} refused the signature: S3_SECRET_ACCESS_KEY is not the secret of S3_ACCESS_KEY_ID=${config.accessKeyId ?? '(from the AWS environment)'}`;
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return `the credentials may not list ${bucket} at ${where}: they need s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListMultipartUploadParts and s3:AbortMultipartUpload on it`;
    case 'CredentialsProviderError':
      return 'no S3 credentials: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or the AWS_* variables, or an AWS profile or role)';
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return `${bucket} is in another region than S3_REGION=${config.region}: ${e.message ?? ''}`;
  }
  const code = e.code ?? e.cause?.code;
  if (code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH)$/.test(code)) {
    return `could not reach ${where} (${code}): check S3_ENDPOINT`;
  }
  const status = e.$metadata?.httpStatusCode;
  return `checking ${bucket} at ${where} failed: ${e.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}${e.message ? `: ${e.message}` : ''}`;
}

/**
 * Lists one key of the bucket: proves the endpoint answers, the credentials are accepted and the
 * bucket exists. A missing bucket is not created: a mistyped name would otherwise quietly become
 * a new, empty store (and creating buckets needs rights a running server should not have).
 */
export async function checkBucket(client: S3Client, config: S3Config): Promise<void> {
  try {
    await client.send(new ListObjectsV2Command({ Bucket: config.bucket, MaxKeys: 1, ...(config.prefix ? { Prefix: config.prefix } : {}) }));
  } catch (err) {
    throw new S3Unavailable(`S3 blob store: ${describe(err, config)}`, { cause: err });
  }
}
