#!/usr/bin/env bash
# System packages the UI tests and screenshots need on Debian: an X server with a tray host
# (Xvfb + trayer), xdotool to click the tray icon and move the mouse, libXss for idle time, the
# libraries Qt's xcb plugin loads, and a CJK font for the Traditional Chinese translation. Idempotent: installs only what is missing.
set -euo pipefail

packages=(
    xvfb trayer xdotool libxss1
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0
    libxcb-image0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
    fonts-noto-cjk
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
