#!/bin/sh
# Makes the encrypted golden images with qemu-img/qemu-io 7.2 (run in this directory).
# luks-cbc.qcow2: LUKS, aes-128-cbc-plain64, sha256, passphrase "golden-luks", 4 KiB clusters,
#   with data, a zero cluster, a compressed cluster (QEMU stores those in the clear) and holes.
# aes.qcow2: legacy AES (crypt_method 1), passphrase "golden-aes-passphrase" (21 bytes: QEMU
#   keys with the first 16), the same writes but the compressed one.
# SHA256SUMS: the guest contents as qemu-img convert -O raw reads them.
set -e
rm -f luks-cbc.qcow2 aes.qcow2 luks-cbc.qcow2.gz aes.qcow2.gz
L="--object secret,id=s,data=golden-luks"
A="--object secret,id=s,data=golden-aes-passphrase"
until qemu-img create -q $L -f qcow2 -o encrypt.format=luks,encrypt.key-secret=s,encrypt.iter-time=10,encrypt.cipher-alg=aes-128,encrypt.cipher-mode=cbc,encrypt.ivgen-alg=plain64,encrypt.hash-alg=sha256,cluster_size=4096 luks-cbc.qcow2 256k; do sleep 1; done
qemu-img create -q $A -f qcow2 -o encrypt.format=aes,encrypt.key-secret=s,cluster_size=4096 aes.qcow2 256k
for img in luks-cbc aes; do
  S=$L; [ $img = aes ] && S=$A
  C=""; [ $img = luks-cbc ] && C="-c 'write -c -P 0x77 128k 4k'"
  eval qemu-io $S --image-opts driver=qcow2,file.filename=$img.qcow2,encrypt.key-secret=s \
    -c "'write -P 0x5a 0 6k'" -c "'write -P 0xa5 20k 1536'" -c "'write -z 64k 4k'" \
    -c "'write -P 0x11 200k 1k'" $C > /dev/null
  qemu-img convert $S --image-opts driver=qcow2,file.filename=$img.qcow2,encrypt.key-secret=s -O raw $img.raw
  echo "$(sha256sum < $img.raw | cut -d' ' -f1)  $img.qcow2"
  rm $img.raw
done > SHA256SUMS
gzip -9 luks-cbc.qcow2 aes.qcow2
