// Exposes exactly the contract to the sandboxed renderer: invoke, cancel, subscribe. No raw
// ipcRenderer, no Node.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on('edgebench:event', (_e: IpcRendererEvent, name: string, payload: unknown) => {
  listeners.get(name)?.forEach((fn) => fn(payload));
});

contextBridge.exposeInMainWorld('edgebench', {
  invoke: (id: string, name: string, request: unknown) =>
    ipcRenderer.invoke('edgebench:invoke', id, name, request),
  cancel: (id: string) => ipcRenderer.invoke('edgebench:cancel', id),
  subscribe: (name: string, handler: (payload: unknown) => void) => {
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  },
});
