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

"""A small hybrid fleet and the plugin configuration that serves it.

Shared by ``tools/demo.sh`` (``python -m multiarch_lab.demo``) and the functional tests: fake deploy
images and dummy loader files are written into a work directory, and the
``[multiarch]``/``[multiarch_<arch>]`` groups point at them, so a real
Ironic can plan and write every node's boot files without any
distribution package or network.
"""

import os

from multiarch_lab import standalone
from ironic_multiarch.profiles import loader

#: The architectures of the fleet.
ARCHES = ('x86_64', 'aarch64', 'ppc64le')

#: The good nodes: name, cpu_arch, boot mode (``None``: Ironic's default),
#: boot interface, MAC of their one port.
NODES = (
    ('x86-bios', 'x86_64', 'bios', 'multiarch-pxe', '52:54:00:00:86:01'),
    ('x86-uefi-ipxe', 'x86_64', 'uefi', 'multiarch-ipxe',
     '52:54:00:00:86:02'),
    ('arm-uefi', 'aarch64', 'uefi', 'multiarch-pxe', '52:54:00:00:aa:01'),
    ('power-opal', 'ppc64le', None, 'multiarch-pxe', '52:54:00:00:99:01'),
)

#: A node that must fail validation: aarch64 has no BIOS mode.
BAD_NODE = ('arm-bios', 'aarch64', 'bios', 'multiarch-pxe',
            '52:54:00:00:aa:02')


def loader_files(profile):
    """Return every loader file name an architecture profile may serve."""
    names = []
    for method in profile.methods:
        for ldr in method.loaders + ((method.ipxe_loader,)
                                     if method.ipxe_loader else ()):
            names.extend(f for f in ldr.files if f not in names)
    return names


def multiarch_conf(workdir, arches=ARCHES, menu_timeout=0):
    """Write fake images and loaders; return the plugin's config groups.

    :param workdir: directory to write ``images/`` and ``loaders/<arch>/``
        into (it must be inside Ironic's ``file_url_allowed_paths``).
    :param arches: architectures to configure.
    :param menu_timeout: ``[multiarch]menu_timeout``.
    :returns: ``{group: {option: value}}`` for
        :class:`~multiarch_lab.standalone.StandaloneIronic`.
    """
    images = standalone.make_fake_images(
        os.path.join(workdir, 'deploy-images'), arches)
    conf = {'multiarch': {'enabled_architectures': list(arches),
                          'menu_timeout': menu_timeout}}
    for arch in arches:
        paths = standalone.make_fake_loaders(
            os.path.join(workdir, 'loaders', arch),
            loader_files(loader.get(arch)))
        group = dict(images[arch])
        if paths:
            group['loader_paths'] = paths
        conf['multiarch_%s' % arch] = group
    return conf


def node_fields(name, arch, boot_mode, boot_interface,
                driver='fake-hardware'):
    """Return the ``create_node`` arguments of a fleet node."""
    properties = {'cpu_arch': arch}
    if boot_mode:
        properties['capabilities'] = 'boot_mode:%s' % boot_mode
    return dict(name=name, driver=driver, boot_interface=boot_interface,
                deploy_interface='direct', automated_clean=True,
                properties=properties)
