import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import type { LoginResult } from '@kapok/contracts';
import { ApiError, post, Session } from '../api';
import { unlockAudio } from '../ringer';

export function LoginPage({ onSignedIn }: { onSignedIn(s: Session): void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: { username: string; password: string }) => {
    unlockAudio();
    setBusy(true);
    setError(null);
    try {
      const res = await post<LoginResult>('/auth/login', v);
      onSignedIn({ token: res.accessToken, user: res.user, mustChangePassword: res.mustChangePassword === true });
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      const expired = e instanceof ApiError && e.messages.some((m) => m.includes('临时密码已过期'));
      setError(
        expired
          ? '临时密码已过期，请联系管理员重置密码'
          : status === 401
            ? '用户名或密码错误'
            : status === 429
              ? '登录失败次数过多，已暂时锁定，请稍后再试'
              : '登录失败，请稍后重试',
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="kapok-login">
      <Card className="kapok-login-card">
        <div className="kapok-login-title">
          <span className="kapok-brand-dot" />
          <Typography.Title level={3} style={{ margin: 0 }}>
            红棉守护 · 24小时社工热线
          </Typography.Title>
        </div>
        <Typography.Paragraph type="secondary">接线社工、协调员、督导与管理者统一登录</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item label="用户名" name="username" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="login-submit">
            登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
