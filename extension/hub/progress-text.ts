// What the download notification says: the file, the bytes so far of the whole download, and the speed over
// the last few seconds (bytes resumed from the cache count as done but not towards the speed).
import type { DownloadProgress } from '../../model-runtime/hub/download-model';

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

/** Bytes per second over a sliding window of samples of the transferred count. */
export class SpeedMeter {
  private samples: { t: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 3000) {}

  rate(bytes: number, now = Date.now()): number {
    this.samples.push({ t: now, bytes });
    while (this.samples.length > 2 && now - this.samples[0].t > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const dt = (now - first.t) / 1000;
    return dt > 0 ? (bytes - first.bytes) / dt : 0;
  }
}

export function progressText(p: DownloadProgress, bytesPerSecond: number): string {
  const file = p.file.split('/').pop();
  const speed = bytesPerSecond > 0 ? `, ${formatBytes(bytesPerSecond)}/s` : '';
  return `${file}: ${formatBytes(p.done)} of ${formatBytes(p.total)}${speed}`;
}
