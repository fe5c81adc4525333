// Configuration is read here, once, into a fully defaulted object that is passed to every part.
// No other module reads process.env.
import path from 'node:path';

export interface Config {
  /** Where the embedded store, blobs and the signing key live. */
  dataDir: string;
  host: string;
  port: number;
  /** The base URL clients reach this server at; file, upload and status URLs are built on it. */
  publicUrl: string;
  /** In-process worker slots; 0 runs no worker in `serve` (workers elsewhere). */
  workers: number;
  /** How long a claim stays valid without a heartbeat. */
  leaseMs: number;
  heartbeatMs: number;
  /** Claims of one request before it is failed (a worker died each time). */
  maxAttempts: number;
  ffmpegPath: string;
  ffprobePath: string;
  /** Largest JSON body accepted (data URIs travel inside it). */
  bodyLimitBytes: number;
  /** Largest single upload accepted by an upload URL. */
  uploadLimitBytes: number;
  /** How long an upload URL stays usable. */
  uploadUrlTtlMs: number;
  logLevel: string;
  /** How long repeats of an idempotency key return the first request. */
  idempotencyWindowMs: number;
  /** How long finished requests keep their input, result and logs. */
  retentionMs: number;
  /** Webhook delivery: retries after the first attempt, the first retry's delay (doubling), per-attempt timeout. */
  webhookRetries: number;
  webhookBaseDelayMs: number;
  webhookTimeoutMs: number;
  /** Longest silence on a server-sent event stream before a keep-alive comment. */
  sseKeepAliveMs: number;
  /** SQLite durability: `normal` survives process crashes, `full` also power cuts (slower). */
  sqliteSynchronous: 'normal' | 'full';
  /** Origins browsers may call the API from (CORS); `*` for any. */
  corsOrigins: string[];
  /** Largest part of a multipart upload. */
  uploadPartLimitBytes: number;
  /** How long a file lives when no lifecycle header asked for a lifetime. */
  fileRetentionMs: number;
  /** How often expired files and abandoned uploads are deleted. */
  fileSweepMs: number;
  /** `signed`: file URLs carry an expiry and an HMAC, and need them. */
  fileUrls: 'capability' | 'signed';
  /** The HMAC secret of signed file URLs; null: one made and kept in the data directory. */
  fileUrlSecret: string | null;
  /** Fetching http(s) URL inputs: hosts opened for development, limits and timeouts. */
  fetchAllowHosts: string[];
  fetchLimitBytes: number;
  fetchConnectTimeoutMs: number;
  fetchTimeoutMs: number;
  /** Media inputs: most pixels of an image, longest video, longest video side. */
  maxImagePixels: number;
  maxVideoSeconds: number;
  maxVideoSide: number;
  /** When set, /metrics needs `Authorization: Bearer <token>`; null: it is public, as scrapers expect. */
  metricsToken: string | null;
  /** `reelhouse worker` serves /healthz, /readyz and /metrics on this port (at `host`); null: none. */
  metricsPort: number | null;
  /** `postgres://…`: the store is this PostgreSQL database (shared by every process); null: SQLite in `dataDir`. */
  databaseUrl: string | null;
  /** Blobs in this S3 bucket (shared by every process); null: files under `dataDir`. */
  s3: S3Config | null;
  /** `reelhouse run`: the server it talks to; default: this configuration's public URL (the local server). */
  serverUrl: string;
  /** `reelhouse run`: the key it sends (`key_id:key_secret`); null: none. */
  clientKey: string | null;
}

/** An S3-compatible bucket for blobs (S3_* settings, with AWS_* as fallbacks). */
export interface S3Config {
  bucket: string;
  /** `https://host[:port]` of an S3-compatible server; null: AWS S3 of `region`. */
  endpoint: string | null;
  /** The endpoint clients reach, when it is not `endpoint` (presigned URLs are made for it). */
  publicEndpoint: string | null;
  region: string;
  /** null: the AWS SDK's own chain (AWS_PROFILE, an instance or task role, …). */
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** `host/bucket/key` rather than `bucket.host/key`: what MinIO, Swift and most non-AWS stores need. */
  forcePathStyle: boolean;
  /** Prepended to every key, so one bucket can hold several deployments. */
  prefix: string;
  /** `presigned`: upload URLs PUT straight to the bucket; `server`: through this server. */
  uploads: 'presigned' | 'server';
  /** `presigned`: file URLs redirect (307) to a presigned GET; `server`: the server streams the bytes. */
  reads: 'presigned' | 'server';
}

export type Env = Record<string, string | undefined>;

const MiB = 1024 * 1024;

function int(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  const v = value.toLowerCase() as T;
  if (!allowed.includes(v)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return v;
}

/** DATABASE_URL, as libpq and every PostgreSQL host spell it; empty or unset: the embedded SQLite. */
function databaseUrl(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new Error('DATABASE_URL must be a PostgreSQL URL, postgres://user:password@host:port/database (unset it to use SQLite)');
  }
  return value;
}

function bool(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

function url(name: string, value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(`${name} must be a URL like https://s3.example.com or http://127.0.0.1:9000, got ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return value.replace(/\/+$/, '');
}

/** S3_BUCKET chooses the S3 blob store; the rest describe how to reach it. */
function s3Config(env: Env): S3Config | null {
  const bucket = env.S3_BUCKET;
  if (bucket === undefined || bucket === '') {
    const stray = ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].filter((k) => env[k]);
    if (stray.length > 0) throw new Error(`${stray.join(', ')} set without S3_BUCKET: set S3_BUCKET to store blobs in S3, or unset them`);
    return null;
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID || null;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY || null;
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    throw new Error('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither (the AWS SDK then finds credentials itself)');
  }
  const endpoint = url('S3_ENDPOINT', env.S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  const prefix = env.S3_PREFIX ?? '';
  if (prefix !== '' && !/^[\w.-]+(\/[\w.-]+)*\/$/.test(prefix)) throw new Error(`S3_PREFIX must be path segments ending in a slash, like reelhouse/, got ${JSON.stringify(prefix)}`);
  const modes = ['presigned', 'server'] as const;
  return {
    bucket,
    endpoint,
    publicEndpoint: url('S3_PUBLIC_ENDPOINT', env.S3_PUBLIC_ENDPOINT),
    region: env.S3_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    accessKeyId,
    secretAccessKey,
    // Path style is what stores at an endpoint of their own nearly always need; AWS wants virtual hosts.
    forcePathStyle: bool('S3_FORCE_PATH_STYLE', env.S3_FORCE_PATH_STYLE, endpoint !== null),
    prefix,
    uploads: oneOf('S3_UPLOADS', env.S3_UPLOADS, modes, 'presigned'),
    reads: oneOf('S3_READS', env.S3_READS, modes, 'presigned'),
  };
}

/** Overrides given on the command line; they win over the environment. */
export interface ConfigOverrides {
  dataDir?: string | undefined;
  host?: string | undefined;
  port?: string | undefined;
  publicUrl?: string | undefined;
  workers?: string | undefined;
}

export function loadConfig(env: Env, overrides: ConfigOverrides = {}): Config {
  const host = overrides.host ?? env.REELHOUSE_HOST ?? '127.0.0.1';
  const port = int('port', overrides.port ?? env.REELHOUSE_PORT, 8080, 0);
  const leaseMs = int('REELHOUSE_LEASE_MS', env.REELHOUSE_LEASE_MS, 30_000, 500);
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const publicUrl = (overrides.publicUrl ?? env.REELHOUSE_PUBLIC_URL ?? `http://${reachable}:${port}`).replace(/\/+$/, '');
  return {
    dataDir: path.resolve(overrides.dataDir ?? env.REELHOUSE_DATA_DIR ?? 'reelhouse-data'),
    host,
    port,
    publicUrl,
    workers: int('workers', overrides.workers ?? env.REELHOUSE_WORKERS, 1, 0),
    leaseMs,
    heartbeatMs: int('REELHOUSE_HEARTBEAT_MS', env.REELHOUSE_HEARTBEAT_MS, Math.max(100, Math.floor(leaseMs / 3)), 50),
    maxAttempts: int('REELHOUSE_MAX_ATTEMPTS', env.REELHOUSE_MAX_ATTEMPTS, 3, 1),
    ffmpegPath: env.FFMPEG_PATH ?? 'ffmpeg',
    ffprobePath: env.FFPROBE_PATH ?? 'ffprobe',
    bodyLimitBytes: int('REELHOUSE_BODY_LIMIT_MB', env.REELHOUSE_BODY_LIMIT_MB, 32, 1) * MiB,
    uploadLimitBytes: int('REELHOUSE_UPLOAD_LIMIT_MB', env.REELHOUSE_UPLOAD_LIMIT_MB, 1024, 1) * MiB,
    uploadUrlTtlMs: int('REELHOUSE_UPLOAD_URL_TTL_S', env.REELHOUSE_UPLOAD_URL_TTL_S, 3600, 1) * 1000,
    logLevel: env.REELHOUSE_LOG_LEVEL ?? 'info',
    idempotencyWindowMs: int('REELHOUSE_IDEMPOTENCY_HOURS', env.REELHOUSE_IDEMPOTENCY_HOURS, 24, 0) * 3_600_000,
    retentionMs: int('REELHOUSE_RETENTION_DAYS', env.REELHOUSE_RETENTION_DAYS, 30, 1) * 86_400_000,
    // fal: 10 retries over about 2 h. 7 s doubling ten times sums to 7 × 1023 s ≈ 2 h.
    webhookRetries: int('REELHOUSE_WEBHOOK_RETRIES', env.REELHOUSE_WEBHOOK_RETRIES, 10, 0),
    webhookBaseDelayMs: int('REELHOUSE_WEBHOOK_BASE_DELAY_MS', env.REELHOUSE_WEBHOOK_BASE_DELAY_MS, 7000, 1),
    webhookTimeoutMs: int('REELHOUSE_WEBHOOK_TIMEOUT_MS', env.REELHOUSE_WEBHOOK_TIMEOUT_MS, 15_000, 100),
    sseKeepAliveMs: int('REELHOUSE_SSE_KEEPALIVE_MS', env.REELHOUSE_SSE_KEEPALIVE_MS, 15_000, 100),
    corsOrigins: (env.REELHOUSE_CORS_ORIGINS ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
    sqliteSynchronous: oneOf('REELHOUSE_SQLITE_SYNCHRONOUS', env.REELHOUSE_SQLITE_SYNCHRONOUS, ['normal', 'full'] as const, 'normal'),
    // fal's client sends 10 MiB parts; S3 allows up to 5 GiB.
    uploadPartLimitBytes: int('REELHOUSE_UPLOAD_PART_LIMIT_MB', env.REELHOUSE_UPLOAD_PART_LIMIT_MB, 100, 1) * MiB,
    fileRetentionMs: int('REELHOUSE_FILE_RETENTION_DAYS', env.REELHOUSE_FILE_RETENTION_DAYS, 30, 1) * 86_400_000,
    fileSweepMs: int('REELHOUSE_FILE_SWEEP_S', env.REELHOUSE_FILE_SWEEP_S, 300, 1) * 1000,
    fileUrls: oneOf('REELHOUSE_FILE_URLS', env.REELHOUSE_FILE_URLS, ['capability', 'signed'] as const, 'capability'),
    fileUrlSecret: env.REELHOUSE_FILE_URL_SECRET || null,
    fetchAllowHosts: (env.REELHOUSE_FETCH_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    fetchLimitBytes: int('REELHOUSE_FETCH_LIMIT_MB', env.REELHOUSE_FETCH_LIMIT_MB, 256, 1) * MiB,
    fetchConnectTimeoutMs: int('REELHOUSE_FETCH_CONNECT_TIMEOUT_S', env.REELHOUSE_FETCH_CONNECT_TIMEOUT_S, 5, 1) * 1000,
    fetchTimeoutMs: int('REELHOUSE_FETCH_TIMEOUT_S', env.REELHOUSE_FETCH_TIMEOUT_S, 60, 1) * 1000,
    maxImagePixels: int('REELHOUSE_MAX_IMAGE_MEGAPIXELS', env.REELHOUSE_MAX_IMAGE_MEGAPIXELS, 50, 1) * 1_000_000,
    maxVideoSeconds: int('REELHOUSE_MAX_VIDEO_SECONDS', env.REELHOUSE_MAX_VIDEO_SECONDS, 60, 1),
    maxVideoSide: int('REELHOUSE_MAX_VIDEO_SIDE', env.REELHOUSE_MAX_VIDEO_SIDE, 4096, 16),
    metricsToken: env.REELHOUSE_METRICS_TOKEN || null,
    metricsPort: env.REELHOUSE_METRICS_PORT ? int('REELHOUSE_METRICS_PORT', env.REELHOUSE_METRICS_PORT, 0, 0) : null,
    databaseUrl: databaseUrl(env.DATABASE_URL),
    s3: s3Config(env),
    serverUrl: (env.REELHOUSE_URL || publicUrl).replace(/\/+$/, ''),
    // FAL_KEY too: scripts written for fal already export it, and the key format is the same.
    clientKey: env.REELHOUSE_KEY || env.FAL_KEY || null,
  };
}
