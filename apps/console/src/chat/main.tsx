import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ChatPage } from './ChatPage';
import './chat.css';

/** The web chat's own entry (chat.html): React and socket.io-client only, none of the console's antd or charts. */
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ChatPage />
  </StrictMode>,
);
