import { Badge, Col, Row, Space } from 'antd';
import type { ContactView } from '@kapok/contracts';
import { CallerHistory } from '../pages/CallerHistory';
import { OutcomeForm } from '../pages/OutcomeForm';
import { CHANNEL_LABELS, label } from '../labels';
import type { ConnectionStatus } from '../socket';
import { ConversationPanel } from './ConversationPanel';
import { type ConversationStore, useStoreVersion } from './conversation-store';
import { TransferButton } from './TransferDialog';
import { isTextChannel } from './text-labels';

/**
 * A text contact the operator holds, as one tab of the workspace: the conversation, the caller's history and the
 * outcome form (the same form as a phone contact's).
 */
export function TextContactView({
  contact,
  store,
  status,
  userId,
  busy,
  onEnd,
  onSubmitted,
  onTransferred,
}: {
  contact: ContactView;
  store: ConversationStore;
  status: ConnectionStatus;
  userId: string;
  busy: string | null;
  onEnd(): void;
  onSubmitted(): void;
  onTransferred(view: ContactView): void;
}) {
  return (
    // (active-contact: the held contact's panel, whatever its channel, as for a phone contact)
    <Row gutter={16} style={{ marginTop: 16 }} data-testid="active-contact">
      <Col xs={24} xl={12}>
        <ConversationPanel
          contact={contact}
          store={store}
          status={status}
          busy={busy}
          onEnd={onEnd}
          actions={<TransferButton contact={contact} userId={userId} onTransferred={onTransferred} />}
        />
        <CallerHistory contactId={contact.id} />
      </Col>
      <Col xs={24} xl={12}>
        <OutcomeForm
          key={contact.id}
          contactId={contact.id}
          userId={userId}
          onSubmitted={onSubmitted}
          inProgress={contact.status === 'active' ? 'text' : null}
          defaultStationId={contact.stationId}
        />
      </Col>
    </Row>
  );
}

/** A workspace tab's title: a text contact's channel and its unread messages; a phone contact's masked number. */
export function ContactTabLabel({ contact, store }: { contact: ContactView; store: ConversationStore }) {
  useStoreVersion(store);
  if (!isTextChannel(contact.channel)) {
    return (
      <span>{`${label(CHANNEL_LABELS, contact.channel)} ${contact.callerNumberMasked ?? contact.hotlineNumber}`}</span>
    );
  }
  const unread = store.unread(contact.id);
  return (
    <Space size={4} data-testid="conversation-tab">
      <span>{`${label(CHANNEL_LABELS, contact.channel)}会话`}</span>
      <span style={{ color: '#8c8c8c' }}>
        {contact.answeredAt ? new Date(contact.answeredAt).toTimeString().slice(0, 5) : ''}
      </span>
      <Badge count={unread} size="small" />
    </Space>
  );
}
