#!/usr/bin/env bash
# Debian packages the full test suite needs: PostgreSQL (database-sensitive tests), Redis (the queue of
# the consumer kill test on PostgreSQL, tests/background),
# Chromium (browser tests), GNU gettext (the translation-coverage test), CJK fonts (pages and report PDFs)
# and poppler-utils.
# Installs them when missing; needs root or sudo.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
fc-list 2>/dev/null | grep -i "noto sans cjk" >/dev/null || need+=(fonts-noto-cjk)  # not -q: with pipefail, an early exit of grep fails fc-list
# The monthly report PDF embeds a TrueType CJK font (reportlab cannot embed Noto CJK's CFF outlines);
# poppler-utils (pdffonts, pdftotext) to look inside a report by hand.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
# Extra tools a target asks for by name (e.g. `system-deps.sh wrk` for make bench-submit).
for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${need[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
