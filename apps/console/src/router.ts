import { useEffect, useState } from 'react';

/** A tiny history router: the console's pages are /console/<page>; the gateway answers index.html for all of them. */
export const BASE = '/console';

export function currentPage(): string {
  const path = window.location.pathname;
  const rest = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  return rest.replace(/^\/+|\/+$/g, '').split('/')[0] ?? '';
}

const listeners = new Set<() => void>();

export function navigate(page: string, replace = false): void {
  const url = `${BASE}/${page}`;
  if (window.location.pathname !== url) {
    if (replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
  }
  listeners.forEach((l) => l());
}

export function usePage(): string {
  const [page, setPage] = useState(currentPage());
  useEffect(() => {
    const update = () => setPage(currentPage());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return page;
}
