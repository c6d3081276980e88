/**
 * The staff console's entry: read config.json, finish or start the OIDC sign-in, then the shell.
 * Everything else (each page, the charts, the preview) loads on demand.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/client.ts';
import { Ctx } from './app/context.tsx';
import { prefetchToday } from './app/queries.ts';
import { Shell } from './app/Shell.tsx';
import { completeSignIn, currentSession, signIn, signOut } from './auth.ts';
import { retryPolicy } from './components/Loaded.tsx';
import { loadConfig } from './config.ts';
import 'dayjs/locale/zh-cn';
import './styles.css';

/** Colours with at least 4.5:1 contrast on white (WCAG AA; antd's secondary greys are ~3:1). */
const THEME = {
  token: {
    // People who ask their system for less motion get no animations.
    motion: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
    colorPrimary: '#1f4e9c',
    colorLink: '#1f4e9c',
    colorInfo: '#1f4e9c',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
  },
};

const root = createRoot(document.getElementById('root')!);

function Failure({ message }: { message: string }) {
  return (
    <main style={{ padding: 48, fontFamily: 'sans-serif' }}>
      <h1>工作台无法启动</h1>
      <p role="alert">{message}</p>
      <p>
        <button type="button" onClick={() => window.location.reload()}>
          重新加载
        </button>
      </p>
    </main>
  );
}

async function start() {
  const config = await loadConfig();
  const session = (await completeSignIn(config)) ?? currentSession();
  if (!session) return signIn(config);
  const queries = new QueryClient({
    defaultOptions: { queries: { ...retryPolicy, staleTime: 5_000, refetchOnWindowFocus: true } },
  });
  const api = createApi(
    config.apiUrl,
    () => session.accessToken,
    () => void signIn(config),
  );
  // The 今日 page is the first thing most visits see: its data is on its way before its code is.
  const route = window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] || 'today';
  if (route === 'today') prefetchToday(queries, api, session.roles, config.servedCities);
  root.render(
    <StrictMode>
      <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }} theme={THEME}>
        <AntApp>
          <QueryClientProvider client={queries}>
            <Ctx.Provider value={{ config, session, api, signOut: () => void signOut(config) }}>
              <Shell />
            </Ctx.Provider>
          </QueryClientProvider>
        </AntApp>
      </ConfigProvider>
    </StrictMode>,
  );
}

start().catch((e: unknown) => {
  root.render(<Failure message={e instanceof Error ? e.message : String(e)} />);
  // config.json or the issuer unreachable: try again in a while rather than stay on an error.
  setTimeout(() => window.location.reload(), 15_000);
});
