/** Every server message the console shows is in Chinese (server-reasons.ts). */
import { serverReason } from './server-reasons';

describe('server messages in Chinese', () => {
  it('translates known wordings, naming the field in Chinese', () => {
    expect(serverReason('to: the range from 2026-01-01 to 2026-12-31 is longer than 366 days')).toBe(
      '统计期间 2026-01-01 至 2026-12-31 超过 366 天，请缩短后再查询',
    );
    expect(serverReason('This risk alert was already acknowledged by 李督导')).toBe('该预警已由 李督导 确认处理');
    expect(serverReason('summary must be shorter than or equal to 2000 characters')).toBe('服务摘要最多 2000 个字');
  });

  it('keeps a message that is already Chinese, and frames an unknown English one in Chinese', () => {
    const bilingual = 'to.userId: 这位社工当前不在岗，请转给站点或督导 (the operator is not on duty)';
    expect(serverReason(bilingual)).toBe(bilingual);
    expect(serverReason('something nobody translated yet')).toBe('请求未被接受（something nobody translated yet）');
  });
});
