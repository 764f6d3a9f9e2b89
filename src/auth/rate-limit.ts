/**
 * Per-client request rate limit: a token bucket per bearer token (or per remote address without
 * one), refilled continuously. Kept in process memory, so with several server instances each
 * enforces the limit on its own share of the traffic.
 */
import { createHash } from 'node:crypto';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until one request is allowed again, when refused. */
  retryAfterSeconds: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();
  private readonly refillPerMs: number;

  constructor(private readonly perMinute: number) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Key of a request: a hash of its Authorization header, so no token is kept in memory. */
  static keyOf(authorization: string | undefined, remoteAddress: string | undefined): string {
    if (authorization) return `auth:${createHash('sha256').update(authorization).digest('base64url')}`;
    return `addr:${remoteAddress ?? 'unknown'}`;
  }

  take(key: string, now = Date.now()): RateLimitDecision {
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 100_000) this.forgetFullBuckets(now);

    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)) };
  }

  private forgetFullBuckets(now: number) {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}
