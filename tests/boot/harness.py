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

"""QEMU netboot on the user-mode network, for tests about a file.

Boot an emulated machine (TCG, never KVM) from a TFTP root through QEMU's
user-mode network, which has its own DHCP and TFTP server, and watch its
serial console for the line the marker initramfs prints. Tests about the
network use :mod:`multiarch_lab` (a real dnsmasq on a bridge) instead;
both share the QEMU command lines and the console watch::

    assets = provision()
    build_grub_efi(assets, 'aarch64', root + '/grubaa64.efi')
    build_marker_initramfs(assets, 'aarch64', root + '/node/deploy_ramdisk')
    result = boot(assets, 'aarch64', 'uefi', root, 'grubaa64.efi',
                  '52:54:00:12:34:56')
    assert 'console=ttyAMA0,115200' in result.cmdline

Paths in the served configs may be server-root absolute (``/<uuid>/...``):
QEMU serves them relative to the TFTP root and follows symlinks.
"""

import os

from multiarch_lab.assets import Assets, default_cache_dir, provision  # noqa
from multiarch_lab.images import build_grub_efi  # noqa: F401
from multiarch_lab.images import build_marker_initramfs  # noqa: F401
from multiarch_lab.qemu import (  # noqa: F401
    ARCHES, BootFailure, BootResult, CONSOLES_RE, FAILURES, MARKER_RE)
from multiarch_lab import qemu as _qemu


def qemu_command(assets, arch, firmware, tftp_root, bootfile, mac, log,
                 workdir, host=None):
    """Build the QEMU command line of one user-network boot.

    :returns: argv list; may write firmware files into workdir.
    :raises ValueError: for an unsupported arch/firmware pair.
    """
    return _qemu.qemu_command(
        assets, arch, firmware,
        _qemu.slirp_netdev(tftp_root, bootfile, host), mac, log, workdir)


def alias_server_path(tftp_root, server_path='/tftpboot'):
    """Make ``<server_path>/x`` resolve to ``x`` inside tftp_root.

    For configs written with the conductor's absolute TFTP paths, e.g.
    ``/tftpboot/<uuid>/deploy_kernel``: adds a ``tftpboot -> .`` link.

    :returns: the link's path.
    """
    link = os.path.join(tftp_root, server_path.strip('/'))
    os.makedirs(os.path.dirname(link), exist_ok=True)
    os.symlink(os.path.relpath(tftp_root, os.path.dirname(link)), link)
    return link


_tail = _qemu.tail


def boot(assets, arch, firmware, tftp_root, bootfile, mac, timeout=120,
         log_path=None, host=None):
    """Netboot one machine and wait for the marker initramfs.

    :param assets: :class:`Assets` from :func:`provision`.
    :param arch: ``x86_64`` or ``aarch64``.
    :param firmware: ``bios`` (x86_64 only) or ``uefi``.
    :param tftp_root: directory served by QEMU's TFTP server.
    :param bootfile: the DHCP option 67 value, as a node would get it.
    :param mac: the NIC's MAC address, ``52:54:00:12:34:56`` style.
    :param timeout: seconds to wait for the marker.
    :param log_path: where to keep the serial log (default: a temp file).
    :param host: the server address the guest sees (default QEMU's
        ``10.0.2.2``): a tree planned for the lab's bridge address boots
        on the user network when this is that address.
    :returns: :class:`BootResult`.
    :raises BootFailure: on a failure pattern, an early QEMU exit or a
        timeout; the message has the elapsed time and the log's tail.
    """
    return _qemu.slirp_boot(assets, arch, firmware, tftp_root, bootfile, mac,
                            timeout=timeout, log_path=log_path, host=host)
