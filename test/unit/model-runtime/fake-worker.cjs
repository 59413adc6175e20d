// A test-only stand-in for dist/worker.js that misbehaves on purpose (the watchdog tests start it through
// the connection's workerPath option). It says hello, loads instantly and answers heartbeats ('memory'),
// then, by FAKE_WORKER:
//   spin-on-generate    a generate request sends it into an endless loop (its event loop is stuck)
//   silent-on-generate  a generate request is never answered, while heartbeats still are
//   spin-on-load        a load request sends it into an endless loop
const mode = process.env.FAKE_WORKER ?? 'spin-on-generate';

const model = {
  name: 'fake',
  dir: '/fake',
  architecture: 'llama',
  layers: 1,
  contextLength: 64,
  vocabSize: 8,
  supportsFim: false,
  onnxFile: 'model.onnx',
  heads: 1,
  kvHeads: 1,
  headDim: 1,
  eosIds: [0],
  tokenizer: 'fake',
};

function spin() {
  for (;;) {
    // stuck: no message is ever handled again
  }
}

process.on('message', (msg) => {
  switch (msg.type) {
    case 'load':
      if (mode === 'spin-on-load') spin();
      process.send({ type: 'loaded', id: msg.id, model, provider: { active: 'cpu', fallbacks: [] } });
      return;
    case 'memory':
      process.send({ type: 'memory', id: msg.id, rss: 1, peakRss: 1, kvCacheBytes: 0, cachedTokens: 0 });
      return;
    case 'generate':
      if (mode === 'spin-on-generate') spin();
      return; // silent-on-generate: never answered
    case 'shutdown':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'hello', pid: process.pid });
