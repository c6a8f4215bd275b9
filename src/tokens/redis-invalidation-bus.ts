import { randomUUID } from 'node:crypto';

import { readPurgeSelector } from '../cache/index.js';
import { isWellFormedId, parseJsonObject } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { RedisClient, RedisSubscriber } from '../redis/index.js';
import type { InvalidationBus, InvalidationEvent, InvalidationListener } from './invalidation-bus.js';
import { MemoryInvalidationBus } from './memory-invalidation-bus.js';

/**
 * Longer messages are not ours: ignored without being parsed. The longest of ours is a cache purge of one URL
 * (up to 4096 characters, which JSON may escape to twice that).
 */
const MAX_MESSAGE_LENGTH = 10_240;

/** Options of {@link RedisInvalidationBus}. */
export interface RedisInvalidationBusOptions {
  /** The shared client, which publishes. */
  readonly client: RedisClient;
  /** The subscriber connection. */
  readonly subscriber: RedisSubscriber;
  /** The pub/sub channel every instance of one deployment shares (`REDIS_INVALIDATION_CHANNEL`). */
  readonly channel: string;
  readonly logger: Logger;
  /**
   * Events kept while Redis is unreachable and published once it is back; when more pile up, one `resync`
   * is published instead. @default 1000
   */
  readonly maxHeldEvents?: number;
}

/** What travels on the channel: the event and the instance it comes from. */
interface WireMessage {
  readonly source: string;
  readonly event: InvalidationEvent;
}

/**
 * The bus of a deployment: events are delivered to this instance's listeners synchronously (so the instance
 * that made a change refuses a revoked token on the very next request), then published on a Redis channel
 * for the other instances, which apply them within milliseconds.
 *
 * Its own messages, echoed back by Redis, are skipped by instance id: they were applied already, and applying
 * them again would rescan the caches and, by bumping the authority's epoch, keep lookups in flight from being
 * cached.
 *
 * Redis may be away: a publish then still delivers locally, keeps the event (bounded) and sends it when the
 * client is back; one warning per outage. The subscriber may have missed events while away, so after it has
 * subscribed again its listeners receive `resync` and drop everything they cached.
 */
export class RedisInvalidationBus implements InvalidationBus {
  /** Tags this instance's messages. */
  readonly instanceId = randomUUID();
  private readonly local: MemoryInvalidationBus;
  private readonly maxHeldEvents: number;
  private held: InvalidationEvent[] = [];
  private heldOverflow = false;
  private holdReported = false;
  private missed = false;
  private closed = false;
  private readonly subscribed: Promise<void>;
  private markSubscribed: () => void = () => undefined;

  constructor(private readonly options: RedisInvalidationBusOptions) {
    this.local = new MemoryInvalidationBus({ logger: options.logger });
    this.maxHeldEvents = options.maxHeldEvents ?? 1000;
    this.subscribed = new Promise((resolve) => {
      this.markSubscribed = resolve;
    });
    const { client, subscriber } = options;
    subscriber.on('message', this.onMessage);
    subscriber.on('ready', this.onSubscriberReady);
    subscriber.on('close', this.onSubscriberClose);
    client.on('ready', this.onClientReady);
    if (subscriber.status === 'ready') this.onSubscriberReady();
  }

  publish(event: InvalidationEvent): void {
    if (this.closed) return;
    this.local.publish(event);
    this.send(event);
  }

  subscribe(listener: InvalidationListener): () => void {
    return this.local.subscribe(listener);
  }

  ready(): Promise<void> {
    return this.subscribed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { client, subscriber, channel } = this.options;
    subscriber.off('message', this.onMessage);
    subscriber.off('ready', this.onSubscriberReady);
    subscriber.off('close', this.onSubscriberClose);
    client.off('ready', this.onClientReady);
    this.held = [];
    this.markSubscribed();
    await this.local.close();
    if (subscriber.status === 'ready') await subscriber.unsubscribe(channel).catch(() => undefined);
  }

  private send(event: InvalidationEvent): void {
    const { client, channel, logger } = this.options;
    if (client.status !== 'ready') {
      this.hold(event);
      return;
    }
    client.publish(channel, encode(this.instanceId, event)).catch((error: unknown) => {
      if (client.status === 'ready') {
        // Refused by a server that is up (an ACL, say): sending it again would fail again.
        logger.warn({ err: error, channel }, 'publishing an invalidation event failed');
      } else {
        this.hold(event);
      }
    });
  }

  private hold(event: InvalidationEvent): void {
    if (this.closed) return;
    if (!this.holdReported) {
      this.holdReported = true;
      this.options.logger.warn(
        { channel: this.options.channel },
        'invalidation events wait for Redis; other instances rely on their token-cache TTL meanwhile',
      );
    }
    if (this.heldOverflow) return;
    if (this.held.length >= this.maxHeldEvents) {
      this.held = [];
      this.heldOverflow = true;
      return;
    }
    this.held.push(event);
  }

  private readonly onClientReady = (): void => {
    const pending: InvalidationEvent[] = this.heldOverflow ? [{ type: 'resync' }] : this.held;
    this.held = [];
    this.heldOverflow = false;
    this.holdReported = false;
    for (const event of pending) this.send(event);
  };

  private readonly onSubscriberClose = (): void => {
    this.missed = true;
  };

  private readonly onSubscriberReady = (): void => {
    const { subscriber, channel, logger } = this.options;
    // Subscribing ourselves (rather than relying on the client's automatic resubscription) tells us when
    // the subscription is in place again: only then is dropping the caches enough to catch up.
    subscriber.subscribe(channel).then(
      () => {
        if (this.closed) return;
        if (this.missed) {
          this.missed = false;
          this.local.publish({ type: 'resync' });
        }
        this.markSubscribed();
      },
      (error: unknown) => {
        // The connection dropped again; its next `ready` subscribes again.
        logger.debug({ err: error, channel }, 'subscribing to the invalidation channel failed');
      },
    );
  };

  private readonly onMessage = (channel: string, text: string): void => {
    if (channel !== this.options.channel || this.closed) return;
    const message = decode(text);
    if (message === undefined) {
      this.options.logger.debug({ channel, length: text.length }, 'ignored a malformed invalidation message');
      return;
    }
    if (message.source === this.instanceId) return;
    this.local.publish(message.event);
  };
}

function encode(source: string, event: InvalidationEvent): string {
  return JSON.stringify({ source, ...event });
}

/** The message, or undefined when it is not a well-formed invalidation message of a known type. */
function decode(text: string): WireMessage | undefined {
  if (text.length > MAX_MESSAGE_LENGTH) return undefined;
  const fields = parseJsonObject(text);
  if (fields === undefined) return undefined;
  const { source } = fields;
  if (!isId(source)) return undefined;
  switch (fields.type) {
    case 'token-changed':
      return isId(fields.tokenId)
        ? { source, event: { type: 'token-changed', tokenId: fields.tokenId } }
        : undefined;
    case 'project-changed':
      return isId(fields.projectId)
        ? { source, event: { type: 'project-changed', projectId: fields.projectId } }
        : undefined;
    case 'cache-purged': {
      const selector = readPurgeSelector(fields.selector);
      return selector === undefined ? undefined : { source, event: { type: 'cache-purged', selector } };
    }
    case 'resync':
      return { source, event: { type: 'resync' } };
    default:
      return undefined;
  }
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && isWellFormedId(value);
}
