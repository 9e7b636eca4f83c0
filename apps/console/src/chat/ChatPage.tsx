import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { ChatMessage, ConversationEndReason } from '@kapok/contracts';
import { type CallerConversation, useCallerConversation } from './caller-conversation';

/**
 * The web chat a person opens at /chat/<line number>: phone-first, no sign-in. A short note on privacy and consent,
 * an optional topic and language, then the queue, then the conversation. Plain React and CSS (no antd, no charts):
 * this page is often opened on a weak mobile connection.
 */

/** Topics a person may pick; the codes are skills routing can match (labels.ts SKILL_LABELS). */
const TOPICS: { code: string; label: string }[] = [
  { code: 'emotional_support', label: '情绪困扰' },
  { code: 'psychological_support', label: '心理压力' },
  { code: 'material_aid', label: '生活困难' },
  { code: 'policy_consultation', label: '政策咨询' },
];

const LANGUAGES: { code: string; label: string }[] = [
  { code: '', label: '不限' },
  { code: 'cmn', label: '普通话' },
  { code: 'yue', label: '粤语' },
  { code: 'eng', label: 'English' },
];

const END_REASONS: Record<ConversationEndReason, string> = {
  caller_ended: '您已结束本次会话。',
  operator_ended: '社工已结束本次会话。',
  idle: '会话长时间没有新消息，已自动结束。',
  abandoned: '您已离开排队。',
  completed: '本次会话已结束。',
};

export function lineFromPath(pathname: string): string {
  const m = /^\/chat\/([^/]+)/.exec(pathname);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}

export function ChatPage() {
  const line = lineFromPath(window.location.pathname);
  const chat = useCallerConversation(line);
  if (!line) {
    return (
      <Shell line="">
        <p className="chat-card">链接不完整，请从热线公布的链接进入。</p>
      </Shell>
    );
  }
  return (
    <Shell line={line} connection={chat.phase === 'intro' || chat.phase === 'ended' ? null : chat.connection}>
      {chat.phase === 'intro' ? <Intro chat={chat} /> : <Conversation chat={chat} />}
    </Shell>
  );
}

function Shell({
  line,
  connection,
  children,
}: {
  line: string;
  connection?: CallerConversation['connection'] | null;
  children: React.ReactNode;
}) {
  return (
    <div className="chat-shell">
      <header className="chat-header">
        <span className="chat-brand-dot" />
        <div className="chat-header-text">
          <div className="chat-title">红棉守护 · 在线倾诉</div>
          {line && <div className="chat-subtitle">热线 {line}</div>}
        </div>
        {connection && (
          <span className={`chat-conn chat-conn-${connection}`} data-testid="chat-connection">
            {connection === 'online' ? '已连接' : connection === 'connecting' ? '连接中…' : '网络断开'}
          </span>
        )}
      </header>
      {children}
    </div>
  );
}

function Intro({ chat }: { chat: CallerConversation }) {
  const [agreed, setAgreed] = useState(false);
  const [topics, setTopics] = useState<string[]>([]);
  const [language, setLanguage] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!agreed) return;
    void chat.start({ ...(topics.length ? { topics } : {}), ...(language ? { language } : {}) });
  };
  return (
    <form className="chat-intro" onSubmit={submit} data-testid="chat-intro">
      <section className="chat-card">
        <h1>您好，这里有人愿意听您说</h1>
        <p>这是广州市镇街社工站的免费、保密的文字倾诉服务，由专业社工回复。无需登录，也不需要留下姓名或电话。</p>
        <h2>隐私说明</h2>
        <ul className="chat-privacy" data-testid="chat-privacy">
          <li>对话内容加密保存，只用于为您提供服务，到期后自动删除。</li>
          <li>如果您或他人的生命安全面临危险，社工可能联系相关部门以保障安全。</li>
          <li>紧急情况请直接拨打 110（报警）或 120（急救）。</li>
        </ul>
        <label className="chat-consent">
          <input
            type="checkbox"
            checked={agreed}
            onChange={(e) => setAgreed(e.target.checked)}
            data-testid="chat-consent"
          />
          <span>我已阅读并同意以上说明</span>
        </label>
      </section>
      <section className="chat-card">
        <h2>
          想聊的话题 <small>（可不选）</small>
        </h2>
        <div className="chat-chips">
          {TOPICS.map((t) => {
            const on = topics.includes(t.code);
            return (
              <button
                type="button"
                key={t.code}
                className={`chat-chip ${on ? 'chat-chip-on' : ''}`}
                aria-pressed={on}
                onClick={() => setTopics((cur) => (on ? cur.filter((c) => c !== t.code) : [...cur, t.code]))}
              >
                {t.label}
              </button>
            );
          })}
        </div>
        <h2>
          希望使用的语言 <small>（可不选）</small>
        </h2>
        <select
          className="chat-select"
          value={language}
          onChange={(e) => setLanguage(e.target.value)}
          data-testid="chat-language"
          aria-label="希望使用的语言"
        >
          {LANGUAGES.map((l) => (
            <option key={l.code} value={l.code}>
              {l.label}
            </option>
          ))}
        </select>
      </section>
      {chat.notice && (
        <p className="chat-notice" role="alert" data-testid="chat-notice">
          {chat.notice}
        </p>
      )}
      <button type="submit" className="chat-primary" disabled={!agreed || chat.starting} data-testid="chat-start">
        {chat.starting ? '正在连接…' : '开始倾诉'}
      </button>
    </form>
  );
}

function waitText(seconds: number | undefined): string | null {
  if (seconds === undefined || !Number.isFinite(seconds)) return null;
  if (seconds < 60) return '预计不到 1 分钟';
  return `预计等待约 ${Math.ceil(seconds / 60)} 分钟`;
}

function QueueBanner({ chat }: { chat: CallerConversation }) {
  const q = chat.queue;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, []);
  // the estimate counts down between the server's updates
  const left =
    q?.estimatedWaitSeconds !== undefined
      ? Math.max(0, q.estimatedWaitSeconds - (now - q.receivedAt) / 1000)
      : undefined;
  return (
    <div className="chat-queue" data-testid="chat-queue" aria-live="polite">
      <div className="chat-queue-main">
        {q ? (
          q.ahead > 0 ? (
            <>
              已排队，前面还有 <b data-testid="chat-queue-ahead">{q.ahead}</b> 人
            </>
          ) : (
            <>
              已排队，前面还有 <b data-testid="chat-queue-ahead">0</b> 人，马上为您接入
            </>
          )
        ) : (
          '正在为您排队…'
        )}
      </div>
      {waitText(left) && <div className="chat-queue-est">{waitText(left)}</div>}
      <div className="chat-queue-hint">您可以先写下想说的话，社工接入后会第一时间看到。</div>
    </div>
  );
}

function Conversation({ chat }: { chat: CallerConversation }) {
  const [draft, setDraft] = useState('');
  const [confirmEnd, setConfirmEnd] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const { messages, outbox } = chat.timeline;
  const ended = chat.phase === 'ended';

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, outbox.length, chat.operatorTyping]);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (chat.send(draft)) setDraft('');
  };
  const lastOwnRead = chat.readSeq;

  return (
    <div className="chat-conversation">
      {chat.phase === 'waiting' && <QueueBanner chat={chat} />}
      {chat.phase === 'talking' && (
        <div className="chat-status" data-testid="chat-talking">
          社工已接入，正在与您对话
        </div>
      )}
      {chat.connection === 'offline' && !ended && (
        <div className="chat-offline" role="status" data-testid="chat-offline">
          网络不稳定，正在重新连接……未发出的消息会在恢复后自动发送。
        </div>
      )}
      <div className="chat-messages" ref={listRef} data-testid="chat-messages">
        {messages.map((m) => (
          <Bubble key={m.id} m={m} read={m.from === 'caller' && m.seq <= lastOwnRead} />
        ))}
        {outbox.map((o) => (
          <div
            key={o.clientId}
            className="chat-bubble chat-bubble-caller chat-bubble-pending"
            data-testid="chat-pending"
          >
            <div className="chat-bubble-text">{o.text}</div>
            <div className="chat-bubble-meta">发送中…</div>
          </div>
        ))}
        {chat.operatorTyping && !ended && (
          <div className="chat-typing" data-testid="chat-typing">
            社工正在输入…
          </div>
        )}
        {ended && (
          <div className="chat-ended" data-testid="chat-ended">
            <p>{chat.endedReason ? END_REASONS[chat.endedReason] : END_REASONS.completed}</p>
            <p>谢谢您的信任。如需再次倾诉，可以随时回来。紧急情况请拨打 110 或 120。</p>
            <button type="button" className="chat-secondary" onClick={chat.restart} data-testid="chat-restart">
              开始新的会话
            </button>
          </div>
        )}
      </div>
      {chat.notice && !ended && (
        <p className="chat-notice" role="alert" data-testid="chat-notice">
          {chat.notice}
        </p>
      )}
      {!ended && (
        <form className="chat-composer" onSubmit={submit}>
          <textarea
            value={draft}
            rows={1}
            placeholder="输入想说的话…"
            aria-label="输入消息"
            data-testid="chat-input"
            onChange={(e) => {
              setDraft(e.target.value);
              chat.setTyping(!!e.target.value.trim());
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                submit();
              }
            }}
          />
          <button type="submit" className="chat-send" disabled={!draft.trim()} data-testid="chat-send">
            发送
          </button>
        </form>
      )}
      {!ended && (
        <div className="chat-footer">
          {confirmEnd ? (
            <span className="chat-confirm">
              确定结束本次会话吗？
              <button
                type="button"
                className="chat-link chat-link-danger"
                onClick={async () => {
                  if (await chat.end()) setConfirmEnd(false);
                }}
                data-testid="chat-end-confirm"
              >
                结束
              </button>
              <button type="button" className="chat-link" onClick={() => setConfirmEnd(false)}>
                继续聊
              </button>
            </span>
          ) : (
            <button type="button" className="chat-link" onClick={() => setConfirmEnd(true)} data-testid="chat-end">
              结束会话
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function Bubble({ m, read }: { m: ChatMessage; read: boolean }) {
  const time = new Date(m.at);
  const hhmm = Number.isNaN(time.getTime())
    ? ''
    : `${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}`;
  if (m.from === 'system') {
    return (
      <div className="chat-system" data-testid="chat-message" data-from="system" data-seq={m.seq}>
        {m.text}
      </div>
    );
  }
  return (
    <div className={`chat-bubble chat-bubble-${m.from}`} data-testid="chat-message" data-from={m.from} data-seq={m.seq}>
      {m.from === 'operator' && <div className="chat-bubble-who">社工</div>}
      <div className="chat-bubble-text">{m.text}</div>
      <div className="chat-bubble-meta">
        {hhmm}
        {m.from === 'caller' && <span data-testid="chat-read-state"> · {read ? '已读' : '已送达'}</span>}
      </div>
    </div>
  );
}
