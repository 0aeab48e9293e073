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

"""Names of the files firmware looks for, relative to the TFTP/HTTP roots."""

from ironic_multiarch import safety
from ironic_multiarch.profiles import base

#: Ironic's file names for each image role.
IMAGE_FILES = {
    'deploy_kernel': 'deploy_kernel', 'deploy_ramdisk': 'deploy_ramdisk',
    'rescue_kernel': 'rescue_kernel', 'rescue_ramdisk': 'rescue_ramdisk',
    'kernel': 'kernel', 'ramdisk': 'ramdisk',
}

#: Ironic's default ``[pxe]pxe_config_subdir``.
CONFIG_SUBDIR = 'pxelinux.cfg'
#: The directory petitboot probes without DHCP option 209 (fixed in
#: petitboot, whatever ``[pxe]pxe_config_subdir`` says).
PETITBOOT_SUBDIR = 'pxelinux.cfg'


def node_dir(uuid):
    """Directory of one node's config, kernel and ramdisk."""
    return safety.relpath(uuid)


def config(uuid):
    """The node's config file."""
    return safety.relpath(uuid, 'config')


def image(uuid, role):
    """Where a kernel or ramdisk of ``role`` is cached for a node."""
    return safety.relpath(uuid, IMAGE_FILES[role])


def loader(loader_dir, arch, name):
    """A loader file in its architecture's own directory."""
    return safety.relpath(loader_dir, arch, name)


def _dashes(mac):
    return mac.replace(':', '-')


def mac_links(config_format, mac, client_id=None, config_dir='',
              subdir=CONFIG_SUBDIR):
    """The per-MAC names firmware of a format looks for.

    GRUB names are those Ironic's own GRUB configs use (in the root);
    pxelinux and iPXE names are in ``subdir``, Ironic's
    ``[pxe]pxe_config_subdir``, where Ironic's ``boot.ipxe`` chains to
    ``<subdir>/<mac with dashes>``.

    :param config_format: one of :data:`~ironic_multiarch.profiles.base.FORMATS`.
    :param mac: lower-case colon MAC.
    :param client_id: DHCP client id (InfiniBand); pxelinux then uses
        hardware type 20.
    :param config_dir: pxelinux only: the directory of its bootfile.
        Without DHCP option 210, pxelinux's path prefix is the directory
        it was loaded from, so it asks for
        ``<config_dir>/pxelinux.cfg/01-<mac>`` (and loads ldlinux.c32
        from there too).
    :param subdir: ``[pxe]pxe_config_subdir`` (not for petitboot, whose
        probe is fixed).
    :returns: tuple of relative paths.
    """
    subdir = safety.relpath(subdir)
    if config_format == base.GRUB:
        return ('grub.cfg-01-' + _dashes(mac), mac + '.conf')
    if config_format == base.IPXE:
        return (subdir + '/' + _dashes(mac),)
    if config_format == base.PETITBOOT:
        subdir = PETITBOOT_SUBDIR
    hw_type = '20-' if client_id else '01-'
    name = subdir + '/' + hw_type + _dashes(mac)
    if config_format == base.PXELINUX and config_dir:
        return (safety.relpath(config_dir, name),)
    return (name,)


def all_mac_links(mac, client_id=None, config_dirs=(),
                  subdir=CONFIG_SUBDIR):
    """Every per-MAC name any format uses for ``mac`` (for clean-up).

    :param config_dirs: loader directories whose config directory may
        hold a link too (see :func:`mac_links`).
    :param subdir: ``[pxe]pxe_config_subdir``; the names in Ironic's
        default ``pxelinux.cfg`` are included too.
    """
    names = []
    subdirs = [safety.relpath(subdir)]
    if CONFIG_SUBDIR not in subdirs:
        subdirs.append(CONFIG_SUBDIR)
    for sub in subdirs:
        for config_dir in ('',) + tuple(config_dirs):
            for fmt in base.FORMATS:
                if config_dir and fmt != base.PXELINUX:
                    continue
                for name in mac_links(fmt, mac, client_id, config_dir, sub):
                    if name not in names:
                        names.append(name)
            if client_id:
                name = sub + '/01-' + _dashes(mac)
                name = (safety.relpath(config_dir, name) if config_dir
                        else name)
                if name not in names:
                    names.append(name)
    return tuple(names)
