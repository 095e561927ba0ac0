#!/bin/sh
# Workload orban/checksum:1 (see orban_desktop/jobspec.py).
# Usage: sh checksum.sh <model file> <input file> <output file>
# Output, 5 lines: sha256(model), sha256(input), sha256(model||input), input bytes, input "\n"s.
# POSIX sh with sha256sum, cat and wc only: runs on busybox and on GNU coreutils alike.
set -eu
[ "$#" -eq 3 ] || { echo "usage: checksum.sh MODEL INPUT OUTPUT" >&2; exit 2; }
model=$1
input=$2
output=$3

model_hash=$(sha256sum < "$model")
input_hash=$(sha256sum < "$input")
both_hash=$(cat "$model" "$input" | sha256sum)
input_bytes=$(wc -c < "$input")
input_lines=$(wc -l < "$input")

# sha256sum prints "<hex>  -"; wc may pad its number with blanks: keep the bare values.
printf '%s\n%s\n%s\n%d\n%d\n' "${model_hash%% *}" "${input_hash%% *}" "${both_hash%% *}" \
    "$((input_bytes))" "$((input_lines))" > "$output"
