#!/bin/sh
# Finish the Linux bundle that PyInstaller built and pack it: `make bundle` runs this after
# `pyinstaller packaging/orban-agent.spec`.
#
#   packaging/linux/make_tarball.sh [BUNDLE_DIR]     (default dist/orban-agent)
#
# Adds to the bundle folder what the desktop needs beside the programs (install.sh, the menu
# entry under share/applications, the icons under share/icons/hicolor, README.md), so the folder
# is also an AppImage-style portable app: run ./orban-desktop from it, or ./install.sh. Then
# writes dist/orban-agent-<version>-linux-<arch>.tar.gz, whose one top folder is
# orban-agent-<version>/. The version is what the bundled `orban-agent --version` prints.
set -eu

repo=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd -P)
bundle=${1:-"${repo}/dist/orban-agent"}
bundle=$(CDPATH='' cd -- "$bundle" && pwd -P)
if [ ! -x "${bundle}/orban-agent" ] || [ ! -x "${bundle}/orban-desktop" ]; then
    echo "make_tarball.sh: ${bundle} has no orban-agent/orban-desktop; run pyinstaller first." >&2
    exit 1
fi

install -m 755 "${repo}/packaging/linux/install.sh" "${bundle}/install.sh"
install -D -m 644 "${repo}/resources/orban-agent.desktop" \
    "${bundle}/share/applications/orban-agent.desktop"
install -D -m 644 "${repo}/resources/icons/orban-agent.svg" \
    "${bundle}/share/icons/hicolor/scalable/apps/orban-agent.svg"
install -D -m 644 "${repo}/resources/icons/orban-agent.png" \
    "${bundle}/share/icons/hicolor/256x256/apps/orban-agent.png"
install -m 644 "${repo}/README.md" "${bundle}/README.md"

# The bundled binary must start on its own here; its answer names the version.
version=$(env -i PATH=/usr/bin:/bin "${bundle}/orban-agent" --version | sed -n 's/^orban-agent //p')
if [ -z "$version" ]; then
    echo "make_tarball.sh: the bundled orban-agent did not report its version." >&2
    exit 1
fi
arch=$(uname -m)
name=$(basename "$bundle")
tarball="$(dirname "$bundle")/${name}-${version}-linux-${arch}.tar.gz"
tar -C "$(dirname "$bundle")" --sort=name --owner=0 --group=0 --numeric-owner \
    --transform "s,^${name},${name}-${version},SH" -czf "$tarball" "$name"
echo "bundle:  ${bundle} ($(du -sh "$bundle" | cut -f1))"
echo "tarball: ${tarball} ($(du -h "$tarball" | cut -f1))"
