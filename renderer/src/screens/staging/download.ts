// Save or open text the back end produced (reports, exports) without a server route, so it works
// the same over Electron IPC and `edgebench serve`.
const TYPES: Record<string, string> = {
  html: 'text/html;charset=utf-8',
  csv: 'text/csv;charset=utf-8',
  json: 'application/json;charset=utf-8',
};

export function downloadText(fileName: string, text: string, format: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: TYPES[format] ?? 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function openHtml(text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: TYPES.html }));
  window.open(url, '_blank');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
