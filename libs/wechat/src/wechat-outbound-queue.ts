import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { AppConfig } from '@kapok/config';
import { bullConnection } from '@kapok/queue';
import { WechatAccounts } from './wechat-accounts';

export const WECHAT_OUTBOUND_QUEUE = 'wechat-outbound';
/** The job that sends one message: its id only (the handler reloads the message, the link and the delivery state). */
export interface WechatReplyJob {
  messageId: string;
}
/**
 * Tries of one reply: 1 s, 2 s, 4 s … apart, about 4½ hours in all — longer than a WeChat outage usually lasts,
 * well inside the 48-hour customer-service window.
 */
export const WECHAT_REPLY_ATTEMPTS = 15;
const BACKOFF_MS = 1000;
/**
 * The outbox sweep (every WECHAT_OUTBOX_SWEEP_SECONDS): replies the adapter was not told of at once (the
 * conversations tell it through ConversationOutboundPort; a crash between storing a reply and telling loses that)
 * are found in the database (WechatRepository.adoptUndelivered), and pending deliveries whose job is gone (Redis
 * lost it) are queued again.
 */
const SWEEP_AFTER_SECONDS = 120;

export type WechatReplyHandler = (messageId: string, finalAttempt: boolean) => Promise<void>;

/**
 * The BullMQ queue of replies to WeChat users, and its worker in every process that loads the adapter (only when an
 * account is configured). Job id `wechat-<messageId>`: adding it twice runs it once.
 */
@Injectable()
export class WechatOutboundQueue implements OnApplicationShutdown {
  private readonly logger = new Logger(WechatOutboundQueue.name);
  private queue?: Queue<WechatReplyJob>;
  private worker?: Worker<WechatReplyJob>;
  private sweeper?: NodeJS.Timeout;
  private sweep?: () => Promise<string[]>;

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: WechatAccounts,
  ) {}

  /**
   * Starts the queue and its worker (only with an account configured): `handler` runs each job, `sweep` finds the
   * pending deliveries to queue again. Called once by the module.
   */
  handle(handler: WechatReplyHandler, sweep: () => Promise<string[]>): void {
    this.sweep = sweep;
    if (!this.accounts.enabled || this.queue) return;
    const connection = bullConnection(this.config);
    this.queue = new Queue<WechatReplyJob>(WECHAT_OUTBOUND_QUEUE, {
      ...connection,
      defaultJobOptions: {
        attempts: WECHAT_REPLY_ATTEMPTS,
        backoff: { type: 'exponential', delay: BACKOFF_MS },
        removeOnComplete: true,
        removeOnFail: { count: 5000 },
      },
    });
    this.queue.on('error', () => undefined); // reconnects by itself
    this.worker = new Worker<WechatReplyJob>(
      WECHAT_OUTBOUND_QUEUE,
      async (job: Job<WechatReplyJob>) => {
        const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        await handler(job.data.messageId, final);
      },
      { ...connection, concurrency: 4 },
    );
    this.worker.on('error', () => undefined);
    this.sweeper = setInterval(() => void this.sweepNow(), this.config.get('WECHAT_OUTBOX_SWEEP_SECONDS') * 1000);
    this.sweeper.unref();
  }

  /** Queues the sending of a message (again: no second job while one is there). */
  async add(messageId: string): Promise<void> {
    if (!this.queue) throw new Error('the WeChat adapter is off (no WECHAT_ACCOUNTS)');
    await this.queue.add('send', { messageId }, { jobId: `wechat-${messageId}` });
  }

  /** One run of the outbox sweep (also run by tests, to look at what the safety net finds). */
  async sweepNow(): Promise<void> {
    try {
      for (const id of (await this.sweep?.()) ?? []) await this.add(id);
    } catch (err) {
      this.logger.warn(`re-queueing pending WeChat replies failed: ${(err as Error).message}`);
    }
  }

  /** The delivery sweep's age threshold (seconds untouched). */
  static readonly sweepAfterSeconds = SWEEP_AFTER_SECONDS;

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.worker?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
  }
}
