/** Downloads a file an API route sends (with the session's token): fetched, then saved under `fileName`. */
import { ApiError } from '../api/client';
import { authorizedFetch } from './session';

export async function downloadFile(url: string, accept: string, fileName: string): Promise<void> {
  const res = await authorizedFetch(new Request(url, { headers: { accept } }));
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string; code?: string };
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText);
  }
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
