import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics } from '@kapok/metrics';

export type WechatInbound = 'text' | 'non_text' | 'duplicate';
export type WechatOutbound = 'sent' | 'retry' | 'failed';

/**
 * The WeChat adapter's counters, on the process's registry (`/metrics`): pushes taken in by kind, and replies sent
 * out by result — `failed` (WeChat refused for good, or retries ran out) is what an alert watches. Labels are codes
 * only.
 */
@Injectable()
export class WechatMetrics {
  private readonly inboundTotal: Counter;
  private readonly outboundTotal: Counter;

  constructor(metrics: Metrics) {
    this.inboundTotal = new Counter({
      name: 'kapok_wechat_inbound_total',
      help: 'WeChat pushes taken in: text messages, other messages, redeliveries of a MsgId already taken',
      labelNames: ['kind'],
      registers: [metrics.registry],
    });
    this.outboundTotal = new Counter({
      name: 'kapok_wechat_outbound_total',
      help: 'Replies sent to WeChat users through the customer-service API: sent, to be tried again, failed for good',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
    for (const kind of ['text', 'non_text', 'duplicate']) this.inboundTotal.inc({ kind }, 0);
    for (const result of ['sent', 'retry', 'failed']) this.outboundTotal.inc({ result }, 0);
  }

  inbound(kind: WechatInbound): void {
    this.inboundTotal.inc({ kind });
  }

  outbound(result: WechatOutbound): void {
    this.outboundTotal.inc({ result });
  }
}
