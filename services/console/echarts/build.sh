#!/bin/sh
# Rebuilds the dashboard's ECharts (only bar and pie charts, grid, legend, tooltip and the
# canvas renderer) from the npm packages pinned in package-lock.json, into the vendored
# file the console serves. Needs Node.js and npm; the result is committed, so running
# the console needs neither.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../src/crosscheck_console/static/vendor/echarts-6.1.0/echarts.dashboard.min.js"
cd "$here"
npm ci --no-audit --no-fund
npx esbuild entry.js --bundle --minify --format=iife --global-name=echarts \
  --define:process.env.NODE_ENV='"production"' --legal-comments=none \
  --banner:js='/*! Apache ECharts 6.1.0 (Apache-2.0, see LICENSE and NOTICE beside this file): bar, pie, grid, legend, tooltip, canvas. Built by services/console/echarts/build.sh */' \
  --outfile="$out"
rm -rf node_modules
