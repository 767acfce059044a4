// The cache contract against the embedded LruCache (RedisCache runs it in redis-cache.test.ts).
import { cacheContract } from './cache-contract.ts';
import { LruCache } from './lru-cache.ts';

cacheContract('LruCache', () => new LruCache(100));
