#!/usr/bin/env python3
"""Rebuilds the golden images and their manifests with mkfs.ext4, e2fsck and debugfs.

Run as root (owners are part of the tree) from this directory. Each image NAME.img.gz comes with
NAME.manifest, written from what debugfs prints (never from the reader under test): one line per
path, tab-separated: path, inode, mode (octal, with type), uid, gid, size, links, and the
SHA-256 of `debugfs dump` (regular files) or the target (symlinks) or '-'.
"""
import gzip, hashlib, os, re, shutil, subprocess, tempfile

ENV = dict(os.environ, LC_ALL="C")


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, env=ENV).stdout.decode()


def tree(root):
    os.makedirs(root)
    with open(f"{root}/hello.txt", "w") as f:
        f.write("hello, golden ext4\n")
    open(f"{root}/empty", "w").close()
    os.makedirs(f"{root}/many")
    for i in range(150):
        with open(f"{root}/many/entry-number-{i:04d}-of-the-golden-tree", "w") as f:
            f.write(str(i))
    with open(f"{root}/frag", "wb") as f:
        for i in range(100):
            f.seek(i * 4096)
            f.write((b"chunk %03d " % i) * 100)
    with open(f"{root}/mid.bin", "wb") as f:
        for i in range(300):
            f.write((b"block %06d " % i).ljust(1024, b"."))
    with open(f"{root}/sparse", "wb") as f:
        f.write(b"start")
        f.seek(5 << 20)
        f.write(b"end")
    d = f"{root}/deep"
    for i in range(10):
        d = f"{d}/d{i}"
    os.makedirs(d)
    with open(f"{d}/leaf", "w") as f:
        f.write("leaf\n")
    os.makedirs(f"{root}/links")
    os.symlink("../hello.txt", f"{root}/links/fast")
    os.symlink("../deep/d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/leaf-------------------------/../leaf",
               f"{root}/links/slow")
    os.symlink("loop2", f"{root}/links/loop1")
    os.symlink("loop1", f"{root}/links/loop2")
    os.link(f"{root}/hello.txt", f"{root}/links/hard")
    with open(f"{root}/owned", "w") as f:
        f.write("owned\n")
    os.chown(f"{root}/owned", 1000, 2000)
    os.chmod(f"{root}/owned", 0o4750)


def manifest(img):
    lines = []

    def walk(d):
        out = run("debugfs", "-R", f'ls -l "{d}"', img)
        for line in out.splitlines():
            m = re.match(r"^\s*(\d+)\s+(\d+)\s+\((\d+)\)\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+\S+\s(.*)$",
                         line)
            if not m or m.group(7) in (".", ".."):
                continue
            name = m.group(7)
            p = (d.rstrip("/") + "/" + name)
            mode = int(m.group(2), 8)
            st = run("debugfs", "-R", f'stat "{p}"', img)
            links = re.search(r"Links:\s+(\d+)", st).group(1)
            kind = mode & 0o170000
            if kind == 0o100000:
                with tempfile.NamedTemporaryFile() as t:
                    run("debugfs", "-R", f'dump "{p}" {t.name}', img)
                    data = open(t.name, "rb").read()[: int(m.group(6))]
                extra = hashlib.sha256(data).hexdigest()
            elif kind == 0o120000:
                tgt = re.search(r'Fast link dest: "(.*)"', st)
                if tgt:
                    extra = tgt.group(1)
                else:
                    with tempfile.NamedTemporaryFile() as t:
                        run("debugfs", "-R", f'dump "{p}" {t.name}', img)
                        extra = open(t.name, "rb").read()[: int(m.group(6))].decode()
            else:
                extra = "-"
            lines.append("\t".join([p, m.group(1), "%o" % mode, m.group(4), m.group(5),
                                    m.group(6), links, extra]))
            if kind == 0o040000:
                walk(p)

    walk("/")
    return "\n".join(lines) + "\n"


def garbage_in_uninit(img):
    """Allocates part of /sparse's hole as uninitialised extents, their blocks full of 0xAA:
    the file must still read as zeros there (debugfs's dump does)."""
    run("debugfs", "-w", "-R", "fallocate /sparse 100 120", img)
    ex = run("debugfs", "-R", "ex /sparse", img)
    m = re.search(r"\d+ -\s*\d+\s+(\d+) -\s*(\d+)\s+\d+ Uninit", ex)
    first, last = int(m.group(1)), int(m.group(2))
    bs = int(re.search(r"Block size:\s+(\d+)", run("debugfs", "-R", "stats", img)).group(1))
    with open(img, "r+b") as f:
        f.seek(first * bs)
        f.write(b"\xaa" * ((last - first + 1) * bs))


def build(name, opts, size, uninit=False):
    work = tempfile.mkdtemp()
    try:
        tree(f"{work}/src")
        img = f"{work}/{name}.img"
        run("mkfs.ext4", "-q", "-F", *opts, "-E", "root_owner=0:0", "-d", f"{work}/src", img, size)
        subprocess.run(["e2fsck", "-fyD", img], capture_output=True, env=ENV)
        run("debugfs", "-w", "-R", "ea_set /hello.txt user.greeting hi", img)
        run("debugfs", "-w", "-R", "ea_set /mid.bin user.long " + "v" * 600, img)
        if uninit:
            garbage_in_uninit(img)
        with open(img, "rb") as f, gzip.open(f"{name}.img.gz", "wb", 9) as g:
            shutil.copyfileobj(f, g)
        with open(f"{name}.manifest", "w") as f:
            f.write(manifest(img))
        with open(f"{name}.xattrs", "w") as f:
            f.write(run("debugfs", "-R", "ea_list /hello.txt", img))
            f.write(run("debugfs", "-R", "ea_list /mid.bin", img))
    finally:
        shutil.rmtree(work)


build("ext4-1k", ["-t", "ext4", "-b", "1024", "-N", "512", "-O", "^has_journal"], "3M",
      uninit=True)
build("ext2-1k", ["-t", "ext2", "-b", "1024", "-N", "512"], "3M")
build("ext4-inline", ["-t", "ext4", "-b", "4096", "-O", "inline_data,^has_journal", "-N", "512"],
      "4M", uninit=True)
build("ext3-journal", ["-t", "ext3", "-b", "1024", "-N", "512"], "4M")
