#!/bin/bash
# Makes the golden images of GoldenImagesTest with qemu-img 7.2 (qemu-utils) and records the
# SHA-256 of each guest disk as qemu-img convert reads it. Each image keeps one data cluster so
# that it stays small: the key material of slot 0 (key-bytes * 4000 random bytes) dominates.
set -euo pipefail
cd "$(dirname "$0")"
export LC_ALL=C
PASS=golden-extra
rm -f ./*.qcow2.gz SHA256SUMS
make() {
  local name=$1 opts=$2
  # qemu-img times PBKDF2 by CPU usage and on a busy machine sometimes gives up: try again.
  for i in 1 2 3 4 5 6 7 8; do
    if qemu-img create -q -f qcow2 --object secret,id=sec0,data=$PASS \
        -o "encrypt.format=luks,encrypt.key-secret=sec0,$opts,encrypt.iter-time=10,cluster_size=4096" \
        "$name" 256K 2>err.txt; then break; fi
    grep -q "Unable to get accurate CPU usage" err.txt || { cat err.txt; exit 1; }
  done
  rm -f err.txt
  local io="driver=qcow2,file.filename=$name,encrypt.key-secret=sec0"
  qemu-io --object secret,id=sec0,data=$PASS --image-opts "$io" \
      -c "write -P 0x6b 4096 3000" -c "write -P 0x21 7000 1000" -c "write -z 12288 4096" >/dev/null
  qemu-img convert --object secret,id=sec0,data=$PASS --image-opts "$io" -O raw "$name.raw"
  echo "$(sha256sum < "$name.raw" | cut -d' ' -f1)  $name" >> SHA256SUMS
  rm -f "$name.raw"
  gzip -9 "$name"
}
make twofish-128-cbc-essiv-sha256.qcow2 \
  "encrypt.cipher-alg=twofish-128,encrypt.cipher-mode=cbc,encrypt.ivgen-alg=essiv,encrypt.ivgen-hash-alg=sha256,encrypt.hash-alg=sha1"
make serpent-128-ctr-plain64.qcow2 \
  "encrypt.cipher-alg=serpent-128,encrypt.cipher-mode=ctr,encrypt.ivgen-alg=plain64,encrypt.hash-alg=ripemd160"
make cast5-128-ecb-plain.qcow2 \
  "encrypt.cipher-alg=cast5-128,encrypt.cipher-mode=ecb,encrypt.ivgen-alg=plain,encrypt.hash-alg=sha512"
