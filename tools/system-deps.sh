#!/usr/bin/env bash
# The system tools the tests use beside Python: pdflatex (booktabs, amsmath), pdftotext,
# Graphviz's dot and headless Chromium.  Debian/Ubuntu; run as root or with sudo available.
set -euo pipefail
packages="texlive-latex-base texlive-latex-recommended poppler-utils graphviz chromium"
if command -v pdflatex >/dev/null && command -v pdftotext >/dev/null && command -v dot >/dev/null \
        && command -v chromium >/dev/null; then
    exit 0  # already there
fi
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
run apt-get update -qq
DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends $packages > /dev/null
