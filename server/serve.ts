// `npm run serve [-- --model DIR] [--port 8080] [--host 127.0.0.1] [--threads N] [--max-concurrent 4]`: the
// model worker behind the OpenAI-compatible server (http-server.ts). The API key comes from TOKENSCOPE_API_KEY
// (not a flag: flags show in process lists). Local only unless --host says otherwise.
import { resolve } from 'node:path';
import { defaultModelDir } from '../extension/model-location';
import { ModelRuntime } from '../model-runtime/runtime';
import { startServer } from './http-server';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

function whole(name: string, fallback: number): number {
  const v = opt(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${v}`);
  return n;
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const modelDir = resolve(opt('--model') ?? defaultModelDir(root) ?? '');
  const log = (level: string, message: string) => console.error(`[${level}] ${message}`);
  const runtime = new ModelRuntime({ workerPath: resolve(__dirname, 'worker.js'), log });
  const model = await runtime.start({ modelDir, threads: whole('--threads', 0) || undefined });
  const server = await startServer({
    runtime,
    host: opt('--host') ?? '127.0.0.1',
    port: whole('--port', 8080),
    apiKey: process.env.TOKENSCOPE_API_KEY || undefined,
    maxConcurrent: whole('--max-concurrent', 4),
    log: (m) => log('error', m),
  });
  console.log(`Tokenscope serves ${model.name} at ${server.url} (/v1/completions, /v1/chat/completions, /completion, /infill)`);
  const stop = async () => {
    await server.close();
    runtime.dispose();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
  console.error(`tokenscope serve: ${e.message}`);
  process.exit(1);
});
