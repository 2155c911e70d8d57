// The Electron entry: a thin shell. One sandboxed window loads the built renderer from disk, the
// preload exposes exactly the contract, and every command goes through the same Dispatcher as
// `edgebench serve`. Only this file and preload.ts import 'electron'.
import path from 'node:path';
import { app as electronApp, BrowserWindow, ipcMain, session, shell, type WebContents } from 'electron';
import { createApp } from '../app';
import { Dispatcher } from '../api/dispatch';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const app = createApp({ dataDir: process.env.EDGEBENCH_DATA_DIR || undefined });
const dispatchers = new Map<number, Dispatcher>();
let mainWindow: BrowserWindow | undefined;

function trusted(sender: WebContents): boolean {
  return (
    mainWindow !== undefined && sender === mainWindow.webContents && sender.getURL().startsWith('file://')
  );
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: 'Edgebench',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  const wc = mainWindow.webContents;
  dispatchers.set(wc.id, new Dispatcher(app, 'ipc'));
  wc.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (e) => e.preventDefault());
  wc.on('will-attach-webview', (e) => e.preventDefault());
  const unsub = app.bus.onAny((name, payload) => {
    if (!wc.isDestroyed()) wc.send('edgebench:event', name, payload);
  });
  mainWindow.on('closed', () => {
    unsub();
    dispatchers.get(wc.id)?.cancelAll();
    dispatchers.delete(wc.id);
    mainWindow = undefined;
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  void mainWindow.loadFile(path.join(__dirname, '..', 'renderer', 'index.html'));
}

electronApp.enableSandbox();
electronApp.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void electronApp.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.webRequest.onBeforeRequest((details, cb) => {
    // No remote content: only the app's own files and devtools.
    cb({ cancel: !/^(file|devtools|data|blob):/.test(details.url) });
  });
  ipcMain.handle('edgebench:invoke', async (e, id: unknown, name: unknown, request: unknown) => {
    if (!trusted(e.sender) || typeof id !== 'string')
      return { ok: false, error: { code: 'EPERM', message: 'untrusted sender' } };
    return dispatchers.get(e.sender.id)!.invoke(id, name, request);
  });
  ipcMain.handle('edgebench:cancel', async (e, id: unknown) => {
    if (!trusted(e.sender) || typeof id !== 'string') return false;
    return dispatchers.get(e.sender.id)?.cancel(id) ?? false;
  });
  createWindow();
});

electronApp.on('window-all-closed', () => {
  void app.close().finally(() => electronApp.quit());
});
