import type { ErrorCode } from '#shared/errors.ts';
import './app.css';

/** Placeholder screen until the field app lands: sign in, then see who you are and what you cover. */
const root = document.getElementById('app')!;
const TOKEN_KEY = 'ocop.token';

const messages: Partial<Record<ErrorCode, string>> = {
  INVALID_CREDENTIALS: 'Sai tên đăng nhập hoặc mật khẩu',
  UNAUTHENTICATED: 'Phiên đăng nhập đã hết hạn',
};

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = localStorage.getItem(TOKEN_KEY);
  const res = await fetch(`/api/v1${path}`, { ...init, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers } });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(messages[body?.code as ErrorCode] ?? body?.title ?? `HTTP ${res.status}`);
  return body as T;
}

function showLogin(error = '') {
  root.innerHTML = `<form id="login"><h2>Đăng nhập</h2>
    <label>Tên đăng nhập<input name="username" autocomplete="username" required></label>
    <label>Mật khẩu<input name="password" type="password" autocomplete="current-password" required></label>
    <p class="error" role="alert">${error}</p><button type="submit">Đăng nhập</button></form>`;
  root.querySelector('form')!.addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    try {
      const { token } = await api<{ token: string }>('/auth/login', { method: 'POST', body: JSON.stringify(Object.fromEntries(form)) });
      localStorage.setItem(TOKEN_KEY, token);
      await showHome();
    } catch (err) {
      showLogin((err as Error).message);
    }
  });
}

async function showHome() {
  try {
    const me = await api<{ username: string; role: string; communes?: string[] }>('/auth/me');
    const producers = await api<{ items: { name: string; communeName: string }[] }>('/producers?limit=10');
    root.innerHTML = `<h2>Xin chào ${me.username}</h2><p>Vai trò: ${me.role}${me.communes?.length ? ` · Xã: ${me.communes.join(', ')}` : ''}</p>
      <h3>Chủ thể</h3><ul>${producers.items.map((p) => `<li>${p.name} — ${p.communeName}</li>`).join('')}</ul>
      <p><a href="/api/docs">Tài liệu API</a></p><button id="logout">Đăng xuất</button>`;
    root.querySelector('#logout')!.addEventListener('click', () => {
      localStorage.removeItem(TOKEN_KEY);
      showLogin();
    });
  } catch {
    localStorage.removeItem(TOKEN_KEY);
    showLogin();
  }
}

void (localStorage.getItem(TOKEN_KEY) ? showHome() : showLogin());
