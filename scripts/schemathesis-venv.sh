#!/usr/bin/env bash
# Makes (once) a Python virtualenv at $1 holding the pinned schemathesis, from
# PyPI. Idempotent: a virtualenv that already has this version is left alone.
# Debian's python3 needs python3-venv for `python3 -m venv`; it is installed
# when missing.
set -euo pipefail
venv="${1:?usage: schemathesis-venv.sh DIR}"
version=4.32.5
if [ "$("$venv/bin/st" --version 2>/dev/null)" = "st, version $version" ]; then
  exit 0
fi
echo "installing schemathesis $version into $venv"
rm -rf "$venv"
if ! python3 -m venv "$venv" 2>/dev/null; then
  sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "installing Debian packages: python3 python3-venv"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv
  rm -rf "$venv"
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
