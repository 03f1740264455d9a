#!/bin/sh
# Regenerates the golden images in the current directory with qemu-img/qemu-io (QEMU 7.2).
# Images whose clusters are 16 KiB or more are gzipped (mostly zeros; a few hundred bytes each).
# SHA256SUMS holds the SHA-256 of each disk's raw contents as `qemu-img convert -O raw` reads them.
set -eu
q() { qemu-io -f qcow2 "$@" >/dev/null; }
mk() { qemu-img create -q -f qcow2 "$@"; }

# Version 2 (compat=0.10), 512-byte clusters.
mk -o compat=0.10,cluster_size=512 v2.qcow2 256K
q -c 'write -P 0x11 0 2k' -c 'write -P 0x12 100k 3000' -c 'write -P 0x13 255k 1k' v2.qcow2

# Version 3 with every default (64 KiB clusters, zlib, 16-bit refcounts).
mk v3-default.qcow2 1M
q -c 'write -P 0x21 0 70000' -c 'write -P 0x22 700k 4k' -c 'write -P 0x23 1020k 4k' v3-default.qcow2

# 512-byte clusters: many L2 tables, runs across cluster and table boundaries.
mk -o cluster_size=512 c512.qcow2 256K
q -c 'write -P 0x31 1000 3000' -c 'write -P 0x34 31k 2k' -c 'write -P 0x32 64k 512' -c 'write -P 0x33 262143 1' c512.qcow2

# Extended L2 (32 subclusters of 512 bytes in 16 KiB clusters): partial subcluster writes,
# a zeroed subcluster inside an allocated cluster, and a zeroed unallocated range.
mk -o extended_l2=on,cluster_size=16k extl2.qcow2 256K
q -c 'write -P 0x41 512 512' -c 'write -P 0x42 1500 100' -c 'write -P 0x43 4k 8k' \
  -c 'write -z 6k 1k' -c 'write -z 40k 2k' -c 'write -P 0x44 100k 512' extl2.qcow2

# Compressed clusters, deflate and zstd, with a normal cluster and an unallocated gap.
for t in zlib zstd; do
  mk -o cluster_size=512,compression_type=$t compressed-$t.qcow2 256K
  q -c 'write -c -P 0x51 0 512' -c 'write -c -P 0x52 512 512' -c 'write -c -P 0x53 8k 512' \
    -c 'write -P 0x54 1k 512' -c 'write -c -P 0x55 255k 512' compressed-$t.qcow2
done

# Backing chain with relative names: chain-top.qcow2 -> chain-mid.qcow2 -> chain-base.raw.
# The raw base (8 KiB) is shorter than the disks above it: the rest reads as zeros.
head -c 8192 /dev/zero | tr '\0' '\141' > chain-base.raw
printf 'BASE' | dd of=chain-base.raw bs=1 seek=4096 conv=notrunc 2>/dev/null
mk -o cluster_size=512 -b chain-base.raw -F raw chain-mid.qcow2 256K
q -c 'write -P 0x62 2k 1k' -c 'write -P 0x63 200k 512' chain-mid.qcow2
mk -o cluster_size=512 -b chain-mid.qcow2 -F qcow2 chain-top.qcow2 256K
q -c 'write -P 0x71 1k 1536' -c 'write -z 7k 512' -c 'write -P 0x72 250k 512' chain-top.qcow2

# External data file (not raw: only written clusters hold data; QEMU sizes it to the disk,
# so it is gzipped too).
mk -o cluster_size=512,data_file=extdata.data extdata.qcow2 256K
q -c 'write -P 0x81 0 1k' -c 'write -P 0x82 3k 512' extdata.qcow2

# One internal snapshot, then the active layer changes.
mk -o cluster_size=512 snapshot.qcow2 256K
q -c 'write -P 0x91 0 2k' snapshot.qcow2
qemu-img snapshot -c snap1 snapshot.qcow2
q -c 'write -P 0x92 1k 2k' -c 'write -P 0x93 10k 512' snapshot.qcow2

# Refcount widths 1 and 64 bits.
for b in 1 64; do
  mk -o cluster_size=512,refcount_bits=$b refcount$b.qcow2 256K
  q -c 'write -P 0xa1 0 1k' -c 'write -P 0xa2 5k 3k' refcount$b.qcow2
done

# Zero clusters: zero-allocated (kept host cluster), zero-plain (unmapped), zero over unallocated.
mk -o cluster_size=512 zero.qcow2 256K
q -c 'write -P 0xb1 0 6k' -c 'write -z 2k 2k' -c 'write -z -u 5k 1k' -c 'write -z 100k 4k' zero.qcow2

# Expected contents.
: > SHA256SUMS
for f in v2 v3-default c512 extl2 compressed-zlib compressed-zstd chain-top chain-mid extdata \
    snapshot refcount1 refcount64 zero; do
  qemu-img convert -O raw $f.qcow2 $f.raw.tmp
  echo "$(sha256sum < $f.raw.tmp | cut -d' ' -f1)  $f.qcow2" >> SHA256SUMS
  rm $f.raw.tmp
done
qemu-img convert -l snapshot.name=snap1 -O raw snapshot.qcow2 snap1.raw.tmp
echo "$(sha256sum < snap1.raw.tmp | cut -d' ' -f1)  snapshot.qcow2@snap1" >> SHA256SUMS
rm snap1.raw.tmp
gzip -9 -n v3-default.qcow2 extl2.qcow2 extdata.data
