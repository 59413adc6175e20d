import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRepoId, checkRepoPath, checkRevision, hubEndpoint, listingUrl, resolveUrl } from '../../../../model-runtime/hub/endpoint';

test('the endpoint: the setting, else HF_ENDPOINT, else huggingface.co; trailing slashes dropped; only http(s)', () => {
  assert.equal(hubEndpoint('', {}), 'https://huggingface.co');
  assert.equal(hubEndpoint(undefined, { HF_ENDPOINT: 'https://hf-mirror.com/' }), 'https://hf-mirror.com');
  assert.equal(hubEndpoint(' http://127.0.0.1:9000// ', { HF_ENDPOINT: 'https://hf-mirror.com' }), 'http://127.0.0.1:9000');
  assert.throws(() => hubEndpoint('ftp://x', {}), /http:\/\/ or https:\/\//);
  assert.throws(() => hubEndpoint('not a url', {}), /is not a URL/);
});

test('repo ids, revisions and paths are checked before they become URLs or cache paths', () => {
  assert.equal(checkRepoId(' HuggingFaceTB/SmolLM2-135M-Instruct '), 'HuggingFaceTB/SmolLM2-135M-Instruct');
  for (const bad of ['gpt2', 'a/b/c', '../etc', 'a/..', 'a/b--c', 'https://huggingface.co/a/b', 'a/.b', ''])
    assert.throws(() => checkRepoId(bad), /is not a model id/, bad);
  assert.equal(checkRevision('refs/pr/1'), 'refs/pr/1');
  for (const bad of ['', '../x', 'a//b', 'main branch', '/main']) assert.throws(() => checkRevision(bad), /not a revision/, bad);
  assert.equal(checkRepoPath('onnx/model.onnx'), 'onnx/model.onnx');
  for (const bad of ['/etc/passwd', 'onnx/../../x', 'a\\b', '']) assert.throws(() => checkRepoPath(bad), /not a file path/, bad);
});

test('URLs: the revision quoted whole, each path part quoted', () => {
  assert.equal(listingUrl('https://h', 'o/n', 'refs/pr/1'), 'https://h/api/models/o/n/revision/refs%2Fpr%2F1?blobs=true');
  assert.equal(resolveUrl('https://h', 'o/n', 'main', 'onnx/model q4.onnx'), 'https://h/o/n/resolve/main/onnx/model%20q4.onnx');
});
