#!/usr/bin/env bash
# Installs the Debian packages perch needs to build, run and test, when any is missing.
# Uses sudo when not root. Safe to run again: it does nothing when everything is there.
set -euo pipefail

packages=(
	build-essential cmake pkg-config git
	mosquitto mosquitto-clients mosquitto-dev libmosquitto-dev
	postgresql postgresql-contrib libpq-dev
	libmicrohttpd-dev libjansson-dev libsodium-dev libcmocka-dev uthash-dev
	nodejs npm
)
# make test also needs a browser for the web app's tests and clang for the fuzzers
if [ "${PERCH_TEST_DEPS:-0}" = 1 ]; then
	packages+=(chromium clang)
fi

missing=()
for p in "${packages[@]}"; do
	# nodejs/npm may come from elsewhere (nodesource, nvm): a working binary is enough.
	case "$p" in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "perch: installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a system-wide mosquitto on 1883 when it installs the package; perch runs its
# own broker, so keep the system one from holding the port.
if [[ " ${missing[*]} " == *" mosquitto "* ]] && command -v systemctl >/dev/null 2>&1; then
	$sudo systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi
