# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Boot images the lab serves: a network GRUB and a marker initramfs."""

import gzip
import io
import os
import stat
import subprocess
import tarfile

#: Modules every network GRUB gets.
GRUB_MODULES = ('efinet', 'tftp', 'http', 'net', 'normal', 'configfile',
                'linux', 'echo', 'test', 'regexp', 'gzio', 'ls', 'halt',
                'reboot', 'sleep', 'chain', 'serial', 'terminal', 'efi_gop')
#: Modules of a Debian-style network GRUB: its config is on a memdisk.
NETBOOT_MODULES = ('memdisk', 'tar')
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


#: The config Debian's and Ubuntu's network GRUB (``grubnetx64.efi``,
#: ``grubnetaa64.efi``, prefix ``/grub``) embed: the platform's own
#: ``grub.cfg`` under the prefix first, else the prefix's ``grub.cfg``.
NETBOOT_CONFIG = """if [ -e $prefix/%(platform)s/grub.cfg ]; then
    source $prefix/%(platform)s/grub.cfg
else
    source $prefix/grub.cfg
fi
"""


def build_grub_efi(assets, arch, out_path, prefix='(tftp)/', netboot=False):
    """Build a standalone network GRUB EFI binary with ``grub-mkimage``.

    No config is embedded, so GRUB searches ``<prefix>grub.cfg-01-<mac>``,
    then the hex IP names, then ``<prefix>grub.cfg``.

    :param assets: :class:`~multiarch_lab.assets.Assets`.
    :param arch: ``x86_64`` or ``aarch64``.
    :param out_path: file to write (atomically).
    :param prefix: GRUB ``$prefix``; passed last on the command line.
    :param netboot: build it as Debian builds its network GRUB instead:
        prefix ``/grub`` (on the server GRUB was booted from: over UEFI
        HTTP boot, the boot URL's, port included) and
        :data:`NETBOOT_CONFIG` embedded.
    :returns: out_path.
    """
    extra = []
    if netboot:
        # As Debian: GRUB's rescue parser, which runs the embedded config,
        # has no 'if', so the embedded config starts normal mode on a
        # memdisk that holds the real one.
        prefix = '/grub'
        embedded = '%s.cfg%d' % (out_path, os.getpid())
        memdisk = '%s.tar%d' % (out_path, os.getpid())
        with open(embedded, 'w') as f:
            f.write('normal (memdisk)/grub.cfg\n')
        text = (NETBOOT_CONFIG % {'platform': GRUB_FORMAT[arch]}).encode()
        with tarfile.open(memdisk, 'w', format=tarfile.USTAR_FORMAT) as tar:
            member = tarfile.TarInfo('grub.cfg')
            member.size = len(text)
            member.mode = 0o644
            tar.addfile(member, io.BytesIO(text))
        extra = ['-c', embedded, '-m', memdisk]
    moddir = assets.grub_modules[arch]
    mods = list(GRUB_MODULES) + list(NETBOOT_MODULES if netboot else ()) + [
        m for m in GRUB_EXTRA[arch]
        if os.path.exists(os.path.join(moddir, m + '.mod'))]
    tmp = '%s.tmp%d' % (out_path, os.getpid())
    try:
        subprocess.run(['grub-mkimage', '-O', GRUB_FORMAT[arch], '-d', moddir,
                        '-o', tmp] + extra + ['-p', prefix] + mods,
                       check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    finally:
        if netboot:
            os.unlink(embedded)
            os.unlink(memdisk)
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

    :param assets: :class:`~multiarch_lab.assets.Assets`.
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
