/**
 * A reply's way out to WeChat (wechat_deliveries), one row per operator/system message of a `wechat` conversation:
 *
 *   pending ──delivered──▶ sent
 *      │ ▲
 *      │ └─attemptFailed─┘   (WeChat unreachable or busy: the job tries again later)
 *      └──────gaveUp───────▶ failed   (WeChat refused it for good, e.g. 45015 past the 48-hour window, or the
 *                                       job's retries ran out)
 *
 * Each step is a conditional update (`… WHERE message_id = :id AND state = ANY(:from)`) by
 * WechatRepository.deliveryTransition, acted on only when a row changed.
 */
export const WECHAT_DELIVERY_STATES = ['pending', 'sent', 'failed'] as const;
export type WechatDeliveryState = (typeof WECHAT_DELIVERY_STATES)[number];

export interface WechatDeliveryTransition {
  from: readonly WechatDeliveryState[];
  to: WechatDeliveryState;
  /** Whether the step counts an attempt. */
  attempt: boolean;
}

export const WechatDeliveryTransitions = {
  delivered: { from: ['pending'], to: 'sent', attempt: true },
  attemptFailed: { from: ['pending'], to: 'pending', attempt: true },
  gaveUp: { from: ['pending'], to: 'failed', attempt: true },
} as const satisfies Record<string, WechatDeliveryTransition>;

export type WechatDeliveryTransitionName = keyof typeof WechatDeliveryTransitions;
