#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, only when it is missing.
# Sourced by tests/run.sh; each need is one function so the list reads as the inventory.

apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install: $*" >&2
    return 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_test_prerequisites() {
  return 0
}
