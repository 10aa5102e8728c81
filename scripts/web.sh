#!/usr/bin/env bash
# Builds the web app into web/dist when its sources changed (npm ci first when needed).
set -euo pipefail
cd "$(dirname "$0")/../web"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "perch: installing the web app's npm packages"
	npm ci --no-audit --no-fund --loglevel=error
fi
stamp=dist/index.html
if [ -f "$stamp" ] && [ -z "$(find src index.html public package.json vite.config.* tsconfig*.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
	exit 0
fi
echo "perch: building the web app"
npm run --silent build >/dev/null
