#!/usr/bin/env bash
# Rebuild src/kopru/plotlyjs/plotly-kopru.min.js: plotly.js's core with the trace types kopru draws
# (kopru.plotlyjs.TRACES), at the plotly.js version the installed plotly package writes figures for.
# Needs node and npm (the npm registry); the result is committed, so nothing builds at install or run time.
# Usage: bash scripts/plotly_bundle.sh [plotly.js version]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
VERSION="${1:-$("$PY" -c 'from plotly.offline import get_plotlyjs_version as v; print(v())')}"
TRACES="$("$PY" -c 'from kopru.plotlyjs import TRACES; print(" ".join(TRACES))')"
ESBUILD_VERSION=0.28.2
OUT="$ROOT/src/kopru/plotlyjs/plotly-kopru.min.js"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "plotly.js@$VERSION" "esbuild@$ESBUILD_VERSION"
{
  echo "'use strict';"
  echo "var Plotly = require('plotly.js/lib/core');  // scatter is in the core"
  echo "Plotly.register(["
  for t in $TRACES; do [ "$t" = scatter ] || echo "  require('plotly.js/lib/$t'),"; done
  echo "]);"
  echo "module.exports = Plotly;"
} > entry.js
# as plotly.js's own build (its esbuild-config.js): one global Plotly, window for node's global; the
# map subplot's stylesheet (maplibre, not drawn here) is left out
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false --define:process.env.NODE_DEBUG=false \
  --alias:stream=stream-browserify --loader:.css=empty \
  --banner:js="/* plotly.js v$VERSION, traces $(echo "$TRACES" | sed 's/ /, /g') only: a partial bundle built for kopru by scripts/plotly_bundle.sh with esbuild $ESBUILD_VERSION. Copyright 2012-2026, Plotly, Inc. Licensed under the MIT license (LICENSE-plotly.js beside this file). */" \
  --outfile=bundle.js --log-level=warning
cp bundle.js "$OUT"
cp node_modules/plotly.js/LICENSE "$ROOT/src/kopru/plotlyjs/LICENSE-plotly.js"
echo "wrote $OUT ($(wc -c < "$OUT") bytes) from plotly.js $VERSION: $TRACES"
