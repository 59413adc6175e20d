// The webview side of postMessage, typed by the view's protocol.
declare function acquireVsCodeApi(): { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void };

export interface Channel<Out> {
  post(msg: Out): void;
  getState<T>(): T | undefined;
  setState<T>(s: T): void;
}

export function channel<Out>(): Channel<Out> {
  const api = acquireVsCodeApi();
  return {
    post: (msg) => api.postMessage(msg),
    getState: <T>() => api.getState() as T | undefined,
    setState: (s) => api.setState(s),
  };
}
