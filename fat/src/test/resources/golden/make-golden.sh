#!/bin/sh
# Makes the golden images the reader is tested against when the tools are absent:
# mkfs.fat formats, mtools fills, and each manifest records what mtools lists and reads
# (path, size, sha256). Run from this directory; needs dosfstools and mtools.
set -eu
export LC_ALL=C MTOOLS_SKIP_CHECK=1 MTOOLSRC=/dev/null TZ=UTC
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fill() {
  img=$1
  # Counting text: compresses well, yet no two clusters of a file read alike.
  seq 1000 3000 | head -c 1500 > "$work/small"
  seq 1 100000 | head -c 24000 > "$work/big"
  seq 5 3 300000 | head -c 24000 > "$work/big2"
  : > "$work/empty"
  touch -d '2011-12-13 14:15:16' "$work/small"
  mmd -i "$img" "::/Deep" "::/Deep/Deeper" "::/Deep/Deeper/Deepest" "::/Deep/Deeper/Deepest/Bottom"
  mcopy -m -i "$img" "$work/small" "::/Stamped file.txt"
  mcopy -i "$img" "$work/small" "::/SHORT.TXT"
  mcopy -i "$img" "$work/small" "::/lower.txt"
  mcopy -i "$img" "$work/empty" "::/Deep/Deeper/Deepest/Bottom/empty file"
  mcopy -i "$img" "$work/big" "::/Deep/A rather long file name, with punctuation; and more.bin"
  i=0
  while [ $i -lt 8 ]; do
    seq $i 7 100000 | head -c 1100 > "$work/f"
    mcopy -i "$img" "$work/f" "::/Deep/frag$i"
    i=$((i + 1))
  done
  for i in 0 2 4 6; do mdel -i "$img" "::/Deep/frag$i"; done
  mcopy -i "$img" "$work/big2" "::/Deep/Fragmented big file.dat"
}

manifest() {
  img=$1
  mdir -/ -a -b -i "$img" ::/ | sed 's/^:://' | sort | while IFS= read -r p; do
    case "$p" in
      */) printf '%s\n' "$p" ;;
      *) printf '%s\t%s\t%s\n' "$p" "$(mtype -i "$img" "::$p" | wc -c)" \
           "$(mtype -i "$img" "::$p" | sha256sum | cut -d' ' -f1)" ;;
    esac
  done
}

make() {
  name=$1 size=$2; shift 2
  rm -f "$name.img" "$name.img.gz"
  truncate -s "$size" "$name.img"
  mkfs.fat "$@" "$name.img" > /dev/null
  fill "$name.img"
  fsck.fat -n "$name.img" > /dev/null
  manifest "$name.img" > "$name.manifest"
  gzip -9 -n "$name.img"
}

make fat12 1440K -F 12 -n GOLDEN12 -i 12121212
make fat16 4M -F 16 -s 1 -n GOLDEN16 -i 16161616
make fat32 34M -F 32 -s 1 -n GOLDEN32 -i 32323232
