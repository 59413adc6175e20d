#!/usr/bin/env bash
# Every test, on a fresh Debian machine: installs what they need (Debian packages, npm packages, the VS Code
# server from the code-server npm package), then runs the real-VS-Code suites, the browser UI tests, and the
# unit tests (last, so their summary closes the log). README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip   # its install script would download CUDA binaries from an unreachable host

need=()
/usr/bin/python3 -c 'import torch, onnx, numpy' 2>/dev/null || need+=(python3-torch python3-onnx python3-numpy)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if ((${#need[@]})); then
  echo "[tokenscope] apt-get install ${need[*]}"
  node scripts/wait-apt-lock.mjs   # another install may hold the apt/dpkg lock: wait for it, saying so
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
export PYTHON=/usr/bin/python3

npm run setup:vscode-server
npm run test:vscode
npm run test:browser
node scripts/start.mjs --smoke   # the README's first command: builds, starts VS Code, checks the model loads
npm run test:webview-ui
npm run test:webview-preview   # the inspector preview: hostile token text, layouts, keyboard
npm test
npm run test:faults   # malformed folders, worker kills, a cancel storm, a fuzzed protocol (a few minutes)
