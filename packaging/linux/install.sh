#!/bin/sh
# Install (or remove) the Orban Agent bundle on Linux: the program folder, the `orban-agent` and
# `orban-desktop` commands, the menu entry and the icon. Run it from the unpacked bundle:
#
#   ./install.sh               for you:     ~/.local/opt/orban-agent, ~/.local/bin,
#                                            ~/.local/share/{applications,icons}
#   sudo ./install.sh --system for everyone: /opt/orban-agent, /usr/local/bin,
#                                            /usr/local/share/{applications,icons}
#   ./install.sh --uninstall [--system]      removes what the matching install put there
#
# Your settings, identity key and earnings (~/.config/orban-agent, ~/.local/share/orban-agent)
# are never touched, by an install, an upgrade or an uninstall. Needs only POSIX sh and coreutils.
set -eu

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

mode=user
action=install
while [ $# -gt 0 ]; do
    case "$1" in
        --system) mode=system ;;
        --user) mode=user ;;
        --uninstall) action=uninstall ;;
        -h | --help) usage 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage 2 >&2 ;;
    esac
    shift
done

if [ "$mode" = system ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install.sh: --system writes to /opt and /usr/local; run it with sudo." >&2
        exit 1
    fi
    app_dir=/opt/orban-agent
    bin_dir=/usr/local/bin
    share_dir=/usr/local/share
else
    app_dir="${HOME}/.local/opt/orban-agent"
    bin_dir="${HOME}/.local/bin"
    share_dir="${XDG_DATA_HOME:-${HOME}/.local/share}"
fi
desktop_file="${share_dir}/applications/orban-agent.desktop"
icon_svg="${share_dir}/icons/hicolor/scalable/apps/orban-agent.svg"
icon_png="${share_dir}/icons/hicolor/256x256/apps/orban-agent.png"

refresh_caches() {  # optional tools: menus pick the entry up without them too, a bit later
    command -v update-desktop-database >/dev/null 2>&1 \
        && update-desktop-database -q "${share_dir}/applications" 2>/dev/null || true
    # Only refresh an icon cache that exists: a new one would go stale as other apps add icons.
    if [ -f "${share_dir}/icons/hicolor/icon-theme.cache" ] \
        && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "${share_dir}/icons/hicolor" 2>/dev/null || true
    fi
}

remove_link() {  # only our own links: a link or file someone else put there stays
    link="$1"
    if [ -L "$link" ] && [ "$(readlink "$link")" = "${app_dir}/$(basename "$link")" ]; then
        rm -f "$link"
    fi
}

if [ "$action" = uninstall ]; then
    if [ -x "${app_dir}/orban-agent" ] && "${app_dir}/orban-agent" status >/dev/null 2>&1; then
        echo "Orban Agent is running; stop it first (\`orban-agent stop\`, or quit it from its tray)." >&2
        exit 1
    fi
    remove_link "${bin_dir}/orban-agent"
    remove_link "${bin_dir}/orban-desktop"
    rm -f "$desktop_file" "$icon_svg" "$icon_png"
    rm -rf "$app_dir"
    refresh_caches
    echo "Orban Agent removed from ${app_dir}. Your settings, key and earnings are kept."
    exit 0
fi

source_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
for needed in orban-agent orban-desktop _internal share/applications/orban-agent.desktop; do
    if [ ! -e "${source_dir}/${needed}" ]; then
        echo "install.sh: ${source_dir} is not an unpacked Orban Agent bundle (no ${needed})." >&2
        exit 1
    fi
done
if [ "$source_dir" = "$(cd -- "$app_dir" 2>/dev/null && pwd -P)" ]; then
    echo "install.sh: this copy is already installed at ${app_dir}; run the one you unpacked." >&2
    exit 1
fi

# Copy to a new folder first, then swap it in, so a failed copy leaves the old version whole.
mkdir -p "$(dirname "$app_dir")" "$bin_dir" "${share_dir}/applications" \
    "$(dirname "$icon_svg")" "$(dirname "$icon_png")"
staging="${app_dir}.new.$$"
rm -rf "$staging"
cp -R -p "${source_dir}/." "$staging"
rm -rf "${app_dir}.old"
[ -e "$app_dir" ] && mv "$app_dir" "${app_dir}.old"
mv "$staging" "$app_dir"
rm -rf "${app_dir}.old"

ln -sfn "${app_dir}/orban-agent" "${bin_dir}/orban-agent"
ln -sfn "${app_dir}/orban-desktop" "${bin_dir}/orban-desktop"
sed -e "s|^Exec=orban-desktop|Exec=${app_dir}/orban-desktop|" \
    -e "s|^TryExec=orban-desktop|TryExec=${app_dir}/orban-desktop|" \
    "${app_dir}/share/applications/orban-agent.desktop" >"$desktop_file"
chmod 644 "$desktop_file"
cp "${app_dir}/share/icons/hicolor/scalable/apps/orban-agent.svg" "$icon_svg"
cp "${app_dir}/share/icons/hicolor/256x256/apps/orban-agent.png" "$icon_png"
refresh_caches

version=$("${app_dir}/orban-agent" --version 2>/dev/null || echo "orban-agent (version unknown)")
echo "Installed ${version} in ${app_dir}."
echo "  Start it from your applications menu (Orban Agent), or run: orban-desktop"
echo "  Headless on a rig: orban-agent run --headless   (see the README for a systemd unit)"
case ":${PATH}:" in
    *":${bin_dir}:"*) ;;
    *) echo "  Note: ${bin_dir} is not on your PATH; add it, or run ${app_dir}/orban-agent." ;;
esac
