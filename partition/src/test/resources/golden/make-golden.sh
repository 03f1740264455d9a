#!/bin/sh
# Makes the golden disks GoldenImageTest reads without any tool installed. Each is partitioned
# by sfdisk, sgdisk or mkfs.fat (util-linux 2.38.1, gdisk 1.0.9, dosfstools 4.2 made the
# committed ones), gets a text marker in the first and last sector of every partition, and is
# stored gzipped next to what `sfdisk --json` printed for it. Run from this directory.
set -eu
export LC_ALL=C
mark() { # disk: write "<disk> partition <n> first|last" at both ends of every partition
  # (not of an extended partition: its first sector is an EBR)
  sfdisk -d "$1" | awk -F'[:=,]' '/start=/ && !/type=5$/ { gsub(/ /, ""); print $1, $3, $5 }' |
  while read -r node start size; do
    n=${node##*[!0-9]}
    printf '%s partition %s first' "$1" "$n" | dd of="$1" bs=512 seek="$start" conv=notrunc status=none
    printf '%s partition %s last' "$1" "$n" | dd of="$1" bs=512 seek=$((start + size - 1)) conv=notrunc status=none
  done
}
finish() { # disk
  sfdisk --json "$1" > "$1.json"
  gzip -9 -n -f "$1"
}

rm -f mbr-logicals.img gpt-sgdisk.img gpt-hybrid.img fat-whole.img
truncate -s 10M mbr-logicals.img
printf 'label: dos\nsize=1MiB, type=83, bootable\nsize=1MiB, type=c\nsize=6MiB, type=5\nsize=1MiB, type=83\nsize=1MiB, type=82\nsize=1MiB, type=7\n' |
  sfdisk -q mbr-logicals.img
mark mbr-logicals.img
finish mbr-logicals.img

truncate -s 16M gpt-sgdisk.img
args=""
i=1
for code in 8300 ef00 0700 8200 ef02 8300 8e00 fd00 8300 0700; do
  slot=$i; [ $i -gt 3 ] && slot=$((i + 2))
  args="$args -n$slot:0:+1M -t$slot:$code"
  i=$((i + 1))
done
sgdisk $args -c1:EFI -c2:"root fs" -c6:"caf\303\251" -A1:set:0 -A2:set:2 -A6:set:60 -A7:set:48 -A7:set:63 gpt-sgdisk.img >/dev/null
mark gpt-sgdisk.img
finish gpt-sgdisk.img

truncate -s 8M gpt-hybrid.img
sgdisk -n1:0:+2M -t1:0700 -n2:0:+2M -t2:8300 -h 1:EE gpt-hybrid.img >/dev/null
mark gpt-hybrid.img
finish gpt-hybrid.img

truncate -s 8M fat-whole.img
mkfs.fat -I --mbr=y --invariant -i 12345678 fat-whole.img >/dev/null
gzip -9 -n -f fat-whole.img
