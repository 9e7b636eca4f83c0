import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { App } from './App';
import './styles.css';

dayjs.locale('zh-cn');

// The console's own offline page (public/sw.js): a page opened while the server is unreachable shows it.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/console/sw.js', { scope: '/console/' }).catch(() => undefined);
  });
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider
      locale={zhCN}
      theme={{
        token: {
          colorPrimary: '#1a64a0', // calm blue; red is kept for risk (RISK_LEVEL_COLORS, critical alerts)
          // secondary text dark enough to read (WCAG AA 4.5:1 on white and on the light grey of cards)
          colorTextSecondary: 'rgba(0, 0, 0, 0.62)',
          colorTextDescription: 'rgba(0, 0, 0, 0.62)',
          colorTextTertiary: 'rgba(0, 0, 0, 0.58)',
          colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
          colorSuccess: '#2f7d0f',
          colorWarning: '#b36b00',
          colorError: '#c0392b', // the brand red: risk and errors
          colorLink: '#1a64a0',
          colorInfo: '#1a64a0',
          borderRadius: 6,
          fontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
        },
      }}
    >
      <AntApp>
        <App />
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
