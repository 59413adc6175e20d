// Runs one generation for a route: the prompt through the model runtime (the same worker, sampling and
// stopping rules as the editor's), each step handed to the route as it comes, cancelled when the client goes.
import type { GenerateResult, Prompt, TokenStep } from '../model-runtime/protocol';
import type { ModelRuntime } from '../model-runtime/runtime';
import type { GenerationParams } from './params';

export type ServerRuntime = Pick<ModelRuntime, 'generate' | 'model' | 'whenReady'>;

export interface Generated {
  result: GenerateResult;
  steps: TokenStep[];
}

/** OpenAI's finish_reason for a stop reason. */
export function finishReason(r: GenerateResult): 'stop' | 'length' | null {
  const why = r.stats.stopReason;
  return why === 'length' ? 'length' : why === 'cancelled' ? null : 'stop';
}

/** llama-server's stop_type. */
export function stopType(r: GenerateResult): 'eos' | 'word' | 'limit' | 'none' {
  return ({ eos: 'eos', stop: 'word', length: 'limit', cancelled: 'none' } as const)[r.stats.stopReason];
}

export async function generate(
  runtime: ServerRuntime,
  prompt: Prompt,
  p: GenerationParams,
  signal: AbortSignal,
  onStep?: (step: TokenStep, delta: string) => void,
): Promise<Generated> {
  const steps: TokenStep[] = [];
  const result = await runtime.generate({
    prompt,
    sampling: p.sampling,
    // Every step carries the chosen token's raw probability; alternatives cost a partial sort, so only when asked.
    topN: p.logprobs ? p.topN : 0,
    // Without logprobs nobody reads the figures: a GGUF engine may decode natively (greedy requests).
    detail: p.logprobs ? 'full' : 'deferred',
    priority: 'normal',
    signal,
    onToken: (step, delta) => {
      steps.push(step);
      onStep?.(step, delta);
    },
  });
  return { result, steps };
}

export function usage(r: GenerateResult) {
  return {
    prompt_tokens: r.stats.promptTokens,
    completion_tokens: r.stats.generatedTokens,
    total_tokens: r.stats.promptTokens + r.stats.generatedTokens,
  };
}
