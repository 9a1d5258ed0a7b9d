#!/usr/bin/env bash
# Seed corpora for the fuzz targets from the repository's reply fixtures and sample values.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/replies corpus/times corpus/inputs
for f in ../fixtures/replies/*/*.json; do
  status=200
  base=$(basename "$f" .json)
  case "$base" in *.[0-9][0-9][0-9]) status=${base##*.} ;; esac
  name=$(echo "$f" | tr '/.' '__')
  # two little-endian status bytes, a header selector, then the body
  { printf "\\x$(printf %02x $((status % 256)))\\x$(printf %02x $((status / 256)))\\x00"; cat "$f"; } > "corpus/replies/$name"
done
i=0
for t in '2025-12-02 07:59:59' '2021-05-27 16:46:25.0' '2024-08-18T15:19:00+08:00' '2025-05-14' \
         '1747238399000' '30d' '2w' '99999999w' '0000-00-00 00:00:00' '--'; do
  printf '%s' "$t" > "corpus/times/$i"; i=$((i + 1))
done
for v in 'scs1234' $'a\nb\n#c\n\n a ' '10' '0.5' '1e30' 'NaN' 'https://127.0.0.1:8080' 'http://[::1]:1/'; do
  printf '%s' "$v" > "corpus/inputs/$i"; i=$((i + 1))
done
