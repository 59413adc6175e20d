// How the status bar words the model runtime's state. Pure, no vscode.
import type { ModelInfo, ProviderReport } from '../model-runtime/protocol';
import type { RuntimeState } from '../model-runtime/runtime';

export type { RuntimeState };

export function describeState(state: RuntimeState, autoTrigger = true): { text: string; tooltip: string } {
  const off = autoTrigger ? '' : ' (auto off)';
  switch (state.kind) {
    case 'stopped':
      return { text: '$(circle-slash) Tokenscope', tooltip: 'Tokenscope: the model worker is not running.' };
    case 'loading':
      return { text: '$(loading~spin) Tokenscope', tooltip: `Tokenscope: loading the model from ${state.modelDir}` };
    case 'ready':
      return {
        text: `$(sparkle) ${state.model.name} · ${state.provider.active}${off}`,
        tooltip: readyTooltip(state.model, state.provider, autoTrigger),
      };
    case 'busy': {
      const rate = state.tokensPerSecond ? ` ${Math.round(state.tokensPerSecond)} tok/s` : '';
      return { text: `$(sync~spin) ${state.model.name}${rate}`, tooltip: readyTooltip(state.model, state.provider, autoTrigger) };
    }
    case 'error':
      return {
        text: state.restarting ? '$(loading~spin) Tokenscope: restarting' : '$(error) Tokenscope',
        tooltip: `Tokenscope error: ${state.message}\nClick for options (restart, log, model folder).`,
      };
  }
}

function readyTooltip(model: ModelInfo, provider: ProviderReport, autoTrigger: boolean): string {
  const lines = [
    `Tokenscope: ${model.name} (${model.architecture}, ${model.layers} layers, context ${model.contextLength}${model.supportsFim ? ', fill-in-the-middle' : ''})`,
    `Execution provider: ${provider.active}`,
    ...provider.fallbacks.map((f) => `  not ${f.provider}: ${f.reason}`),
    `Automatic completions: ${autoTrigger ? 'on' : 'off'}`,
    `Model folder: ${model.dir}`,
  ];
  return lines.join('\n');
}
