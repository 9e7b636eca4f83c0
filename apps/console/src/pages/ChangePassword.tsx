import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Modal, Typography } from 'antd';
import { LockOutlined, LogoutOutlined } from '@ant-design/icons';
import { changePassword, type ChangePasswordAnswer, describePasswordError } from '../password';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/** The form itself: current password, the new one twice; the server's policy reasons shown in Chinese. */
function ChangePasswordForm({
  onChanged,
  submitText,
  temporary,
}: {
  onChanged(answer: ChangePasswordAnswer): void;
  submitText: string;
  temporary?: boolean;
}) {
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await changePassword(v.currentPassword, v.newPassword);
      form.resetFields();
      onChanged(answer);
    } catch (e) {
      setError(describePasswordError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} data-testid="change-password-form">
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="change-password-error" />
      )}
      <Form.Item
        label={temporary ? '临时密码' : '当前密码'}
        name="currentPassword"
        rules={[{ required: true, message: temporary ? '请输入管理员提供的临时密码' : '请输入当前密码' }]}
      >
        <Input.Password
          prefix={<LockOutlined />}
          autoComplete="current-password"
          data-testid="current-password"
          autoFocus
        />
      </Form.Item>
      <Form.Item
        label="新密码"
        name="newPassword"
        extra="请使用不易被猜到的密码：不要包含用户名，不要使用常见密码。"
        rules={[
          { required: true, message: '请输入新密码' },
          ({ getFieldValue }) => ({
            validator: (_, value: string) =>
              value && value === getFieldValue('currentPassword')
                ? Promise.reject(new Error('新密码不能与当前密码相同'))
                : Promise.resolve(),
          }),
        ]}
      >
        <Input.Password prefix={<LockOutlined />} autoComplete="new-password" data-testid="new-password" />
      </Form.Item>
      <Form.Item
        label="确认新密码"
        name="confirm"
        dependencies={['newPassword']}
        rules={[
          { required: true, message: '请再次输入新密码' },
          ({ getFieldValue }) => ({
            validator: (_, value: string) =>
              !value || value === getFieldValue('newPassword')
                ? Promise.resolve()
                : Promise.reject(new Error('两次输入的新密码不一致')),
          }),
        ]}
      >
        <Input.Password prefix={<LockOutlined />} autoComplete="new-password" data-testid="confirm-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy} data-testid="change-password-submit">
        {submitText}
      </Button>
    </Form>
  );
}

/**
 * After signing in with a temporary password (`mustChangePassword: true`): the only screen until the person has
 * chosen their own (the server answers 403 to everything else meanwhile).
 */
export function ForcedPasswordChange({
  displayName,
  onChanged,
  onSignOut,
}: {
  displayName: string;
  onChanged(answer: ChangePasswordAnswer): void;
  onSignOut(): void;
}) {
  return (
    <div className="kapok-login" data-testid="forced-password-change">
      <Card className="kapok-login-card">
        <div className="kapok-login-title">
          <span className="kapok-brand-dot" />
          <Typography.Title level={4} style={{ margin: 0 }}>
            首次登录，请设置新密码
          </Typography.Title>
        </div>
        <Typography.Paragraph type="secondary">
          {displayName}
          ，您正在使用管理员发放的临时密码。为保护来电者信息，请先设置只有您知道的新密码，然后才能进入工作台。
        </Typography.Paragraph>
        <ChangePasswordForm temporary submitText="设置新密码并进入" onChanged={onChanged} />
        <Button type="link" icon={<LogoutOutlined />} onClick={onSignOut} style={{ marginTop: 8, paddingLeft: 0 }}>
          退出登录
        </Button>
      </Card>
    </div>
  );
}

/** 修改密码 from the header, for everyone. */
export function ChangePasswordModal({
  open,
  onClose,
  onChanged,
}: {
  open: boolean;
  onClose(): void;
  onChanged(answer: ChangePasswordAnswer): void;
}) {
  const { message } = AntApp.useApp();
  return (
    <Modal open={open} onCancel={onClose} footer={null} title="修改密码" destroyOnHidden width={420}>
      <ChangePasswordForm
        submitText="确认修改"
        onChanged={(answer) => {
          message.success('密码已修改，下次登录请使用新密码');
          onChanged(answer);
          onClose();
        }}
      />
    </Modal>
  );
}
