"""Boot images the QEMU tests serve: a network GRUB and a marker initramfs."""

import gzip
import os
import stat
import subprocess

#: Modules every network GRUB gets.
GRUB_MODULES = ('efinet', 'tftp', 'http', 'net', 'normal', 'configfile',
                'linux', 'echo', 'test', 'regexp', 'gzio', 'ls', 'halt',
                'reboot', 'sleep', 'chain', 'serial', 'terminal', 'efi_gop')
#: Extra modules per architecture (``linuxefi`` exists on x86_64 only).
GRUB_EXTRA = {'x86_64': ('linuxefi', 'efi_uga'), 'aarch64': ()}
GRUB_FORMAT = {'x86_64': 'x86_64-efi', 'aarch64': 'arm64-efi'}

INIT = """#!/bin/sh
/bin/busybox mount -t proc proc /proc
echo 1 > /proc/sys/kernel/printk
read -r CMDLINE < /proc/cmdline
set -- $(/bin/busybox awk '{print $1}' /proc/consoles)
echo "MULTIARCH-MARKER %(arch)s $CMDLINE" > /dev/console
echo "MULTIARCH-CONSOLES $*" > /dev/console
/bin/busybox poweroff -f
"""


def _atomic_write(out_path, data):
    tmp = '%s.tmp%d' % (out_path, os.getpid())
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, out_path)


def build_grub_efi(assets, arch, out_path, prefix='(tftp)/'):
    """Build a standalone network GRUB EFI binary with ``grub-mkimage``.

    No config is embedded, so GRUB searches ``<prefix>grub.cfg-01-<mac>``,
    then the hex IP names, then ``<prefix>grub.cfg``.

    :param assets: :class:`~tests.boot.assets.Assets`.
    :param arch: ``x86_64`` or ``aarch64``.
    :param out_path: file to write (atomically).
    :param prefix: GRUB ``$prefix``; passed last on the command line.
    :returns: out_path.
    """
    moddir = assets.grub_modules[arch]
    mods = list(GRUB_MODULES) + [
        m for m in GRUB_EXTRA[arch]
        if os.path.exists(os.path.join(moddir, m + '.mod'))]
    tmp = '%s.tmp%d' % (out_path, os.getpid())
    subprocess.run(['grub-mkimage', '-O', GRUB_FORMAT[arch], '-d', moddir,
                    '-o', tmp, '-p', prefix] + mods, check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.replace(tmp, out_path)
    return out_path


def _newc(name, mode, data=b'', rdev=(0, 0), ino=0):
    """:returns: one newc cpio member (header, name, data, padding)."""
    name_b = name.encode() + b'\0'
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(name_b), 0)
    head = b'070701' + b''.join(b'%08X' % v for v in fields) + name_b
    head += b'\0' * (-len(head) % 4)
    return head + data + b'\0' * (-len(data) % 4)


def build_marker_initramfs(assets, arch, out_path, pad_bytes=0):
    """Build a gzip'd newc initramfs whose ``/init`` prints the marker.

    The archive is written member by member in Python, so the
    ``/dev/console`` node needs no ``mknod`` on the host.

    :param assets: :class:`~tests.boot.assets.Assets`.
    :param arch: ``x86_64`` or ``aarch64`` (selects the busybox).
    :param out_path: file to write (atomically).
    :param pad_bytes: size of an incompressible ``/pad`` file to add, for
        a ramdisk as large as a real deploy ramdisk (transfer benchmarks).
    :returns: out_path.
    """
    with open(assets.busybox[arch], 'rb') as f:
        busybox = f.read()
    members = [
        ('bin', stat.S_IFDIR | 0o755, b''), ('dev', stat.S_IFDIR | 0o755, b''),
        ('proc', stat.S_IFDIR | 0o755, b''),
        ('sys', stat.S_IFDIR | 0o755, b''),
        ('bin/busybox', stat.S_IFREG | 0o755, busybox),
        ('bin/sh', stat.S_IFLNK | 0o777, b'busybox'),
        ('init', stat.S_IFREG | 0o755, (INIT % {'arch': arch}).encode()),
    ]
    blob = b''.join(_newc(n, m, d, ino=i + 1)
                    for i, (n, m, d) in enumerate(members))
    blob += _newc('dev/console', stat.S_IFCHR | 0o600, rdev=(5, 1), ino=99)
    if pad_bytes:
        blob += _newc('pad', stat.S_IFREG | 0o644, os.urandom(pad_bytes),
                      ino=100)
    blob += _newc('TRAILER!!!', 0)
    _atomic_write(out_path, gzip.compress(blob, compresslevel=1 if pad_bytes
                                          else 9, mtime=0))
    return out_path
