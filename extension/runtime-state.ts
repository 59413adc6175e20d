// How the status bar words the model runtime's state. Pure, no vscode.
import type { ModelInfo, ProviderReport } from '../model-runtime/protocol';
import type { RuntimeState } from '../model-runtime/runtime';

export type { RuntimeState };

export interface StateView {
  text: string;
  tooltip: string;
  /** What a click does (default: the Tokenscope menu). */
  command?: string;
  /** Links offered in the tooltip. */
  actions?: { title: string; command: string }[];
  /** How loud the item is. */
  severity?: 'error' | 'warning';
}

export const RESTART_COMMAND = 'tokenscope.restartWorker';

export function describeState(state: RuntimeState, autoTrigger = true): StateView {
  const off = autoTrigger ? '' : ' (auto off)';
  switch (state.kind) {
    case 'stopped':
      if (!state.reason) return { text: '$(circle-slash) Tokenscope', tooltip: 'Tokenscope: the model worker is not running.' };
      // It stopped by itself (the crash budget is spent): a click restarts it.
      return {
        text: '$(error) Tokenscope: stopped',
        tooltip: `Tokenscope: ${state.reason}`,
        command: RESTART_COMMAND,
        actions: [
          { title: 'Restart', command: RESTART_COMMAND },
          { title: 'Show Log', command: 'tokenscope.showLog' },
        ],
        severity: 'error',
      };
    case 'loading':
      return { text: '$(loading~spin) Tokenscope', tooltip: `Tokenscope: loading the model from ${state.modelDir}` };
    case 'ready':
      return {
        text: `${state.notice ? '$(warning)' : '$(sparkle)'} ${state.model.name} · ${state.provider.active}${off}`,
        tooltip: readyTooltip(state.model, state.provider, autoTrigger, state.notice),
      };
    case 'busy': {
      const rate = state.tokensPerSecond ? ` ${Math.round(state.tokensPerSecond)} tok/s` : '';
      return {
        text: `$(sync~spin) ${state.model.name}${rate}`,
        tooltip: readyTooltip(state.model, state.provider, autoTrigger, state.notice),
      };
    }
    case 'error':
      return {
        text: state.restarting ? '$(loading~spin) Tokenscope: restarting' : '$(error) Tokenscope',
        tooltip: `Tokenscope${state.restarting ? ' is restarting the model worker' : ' error'}: ${state.message}\nClick for options (restart, log, model folder).`,
        severity: 'error',
      };
  }
}

function readyTooltip(model: ModelInfo, provider: ProviderReport, autoTrigger: boolean, notice?: string): string {
  const lines = [
    `Tokenscope: ${model.name} (${model.architecture}, ${model.layers} layers, context ${model.contextLength}${model.supportsFim ? ', fill-in-the-middle' : ''})`,
    `Execution provider: ${provider.active}`,
    ...provider.fallbacks.map((f) => `  not ${f.provider}: ${f.reason}`),
    `Automatic completions: ${autoTrigger ? 'on' : 'off'}`,
    `Model folder: ${model.dir}`,
    ...(notice ? [`Note: ${notice}`] : []),
  ];
  return lines.join('\n');
}
