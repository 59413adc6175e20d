#!/usr/bin/env bash
# Fills .carry/ (git-ignored) with what gpu-run.sh needs on the GPU machine, within the 64 MiB that
# may travel: the TS/JS + stdlib token files (xz), the validation split, tokenizer.json, the held-out
# hashes, this machine's node binary and onnxruntime-node (linux-x64 only), the Vulkan loader .debs,
# and the bundled GPU check. Run after build-corpus.mjs has written CORPUS (default .scratch/corpus).
set -eu
cd "$(git rev-parse --show-toplevel)"
CORPUS=${CORPUS:-.scratch/corpus}
C=.carry
mkdir -p $C/gl
[ -f $C/train.tsjs.bin.xz ] || xz -T2 -9 -c "$CORPUS/train.tsjs.bin" > $C/train.tsjs.bin.xz
[ -f $C/train.py.bin.xz ] || xz -T2 -9 -c "$CORPUS/train.py.bin" > $C/train.py.bin.xz
cp "$CORPUS/val.tsjs.bin" "$CORPUS/val.py.bin" "$CORPUS/heldout-hashes.txt" "$CORPUS/newline-tokens.json" $C/
node training/tokenizer-json.mjs --encoding p50k_edit --out $C/tokenizer.json
[ -f $C/node.xz ] || xz -T2 -6 -c "$(command -v node)" > $C/node.xz
[ -f $C/ort.tar.xz ] || tar -C node_modules -cJf $C/ort.tar.xz onnxruntime-common \
  onnxruntime-node/package.json onnxruntime-node/dist onnxruntime-node/lib onnxruntime-node/bin/napi-v6/linux/x64
if ! ls $C/gl/*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update -qq
  (cd $C/gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
npx esbuild bench/gpu-check.ts --bundle --platform=node --target=node20 --external:onnxruntime-node --minify --outfile=$C/gpu-check.js --log-level=warning
du -sh $C; du -sh $C/*
