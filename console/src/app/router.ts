/** Hash routes (#/notices/…): the build is static files, served as they are by S3 and the local stack. */
import { useEffect, useState } from 'react';

export interface Location {
  path: string[];
  query: URLSearchParams;
}

function read(): Location {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [p = '', q = ''] = raw.split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const on = () => setLoc(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return loc;
}

export function navigate(path: string, query?: Record<string, string>) {
  const q = query ? `?${new URLSearchParams(query)}` : '';
  window.location.hash = `#/${path.replace(/^\//, '')}${q}`;
}

export const href = (path: string) => `#/${path.replace(/^\//, '')}`;
