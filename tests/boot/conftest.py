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

"""Fixtures of the QEMU boot tests: a real Ironic on a real network.

``boot_lab`` (one per session) provisions the host (apt packages, arm64
GRUB and shim, kernels), builds real loaders and marker initramfs, and
creates a :class:`multiarch_lab.Lab`: a network namespace with a bridge on
:data:`SERVER`. A :class:`~multiarch_lab.standalone.StandaloneIronic`
runs with ``[pxe]tftp_server`` on the bridge and ``[deploy]http_url``
``http://<bridge>:8080``; the lab's dnsmasq reads the hosts and option
directories Ironic's dnsmasq provider writes, serves Ironic's TFTP root,
and includes the output of ``ironic-multiarch dnsmasq`` (matches for
machines Ironic does not know) with ``conf-file=``. An HTTP server in the
namespace serves Ironic's HTTP root. One node per case is enrolled
through openstacksdk and taken to ``clean wait``; each QEMU machine then
sits on a tap of its own with its port's MAC and boots whatever dnsmasq
answers it.

Tests about a file (a copied, broken tree) boot on QEMU's user-mode
network instead, whose server address is set to :data:`SERVER` so the
conductor's configs work there unchanged.
"""

import dataclasses
import os

import pytest

import multiarch_lab
from multiarch_lab import fleet
from multiarch_lab.fleet import (  # noqa: F401  (the tests' helpers)
    BootNode, bootfile, build_images, dnsmasq_opts, dnsmasq_tag)
from tests.boot import harness

#: The lab bridge's address: [pxe]tftp_server, [deploy]http_url's host,
#: and the server address of user-network boots.
SERVER = '10.20.0.1'
#: Kept for the user-network tests: the server as the guest sees it.
GUEST_HOST = SERVER
HTTP_PORT = fleet.HTTP_PORT

#: name -> (cpu_arch, firmware, boot interface, MAC)
NODES = dict(fleet.FLEET, **{
    'arm-uefi-shim': ('aarch64', 'uefi', 'multiarch-pxe',
                      '52:54:00:b0:aa:02')})
#: Nodes whose instance asks for UEFI Secure Boot: the planner gives
#: them the architecture's shim (the emulated firmware has Secure Boot
#: off, so shim runs GRUB unverified).
SECURE_BOOT = ('arm-uefi-shim',)

#: Machines Ironic does not know: name -> (arch, firmware, MAC).
UNKNOWN = {
    'unknown-arm-uefi': ('aarch64', 'uefi', '52:54:00:d1:5c:01'),
    'unknown-x86-bios': ('x86_64', 'bios', '52:54:00:d1:5c:02'),
}
#: Discovery configs (and their images) the fixture adds to the TFTP root
#: for UNKNOWN machines: the loader's own fallback names.
DISCOVERY_FILES = ('grub.cfg', 'discovery',
                   os.path.join('multiarch', 'x86_64', 'pxelinux.cfg',
                                'default'))
DISCOVERY_ARG = 'multiarch-discovery='
CONSOLES = {'aarch64': 'console=ttyAMA0,115200',
            'x86_64': 'console=ttyS0,115200n8'}


def write_discovery(tftp_root, images):
    """Give unknown machines a marker to boot: the discovery configs.

    GRUB (prefix ``(tftp)/``) falls back to ``grub.cfg`` at the root
    (one entry per ``$grub_cpu``),
    pxelinux to ``pxelinux.cfg/default`` beside itself (``::`` names a
    path from the TFTP root, as in Ironic's own pxelinux configs). Each
    boots the marker with ``multiarch-discovery=<arch>`` and the arch's
    console.
    """
    for arch in ('aarch64', 'x86_64'):
        d = os.path.join(tftp_root, 'discovery', arch)
        os.makedirs(d, exist_ok=True)
        for name in ('vmlinuz', 'marker.initrd'):
            os.link(os.path.join(images, arch, name), os.path.join(d, name))
    grub = ['set timeout=0']
    for arch, cpu in (('aarch64', 'arm64'), ('x86_64', 'x86_64')):
        grub += ['if [ "$grub_cpu" = "%s" ]; then' % cpu,
                 '  menuentry "discovery" {',
                 '    linux /discovery/%s/vmlinuz %s %s%s'
                 % (arch, CONSOLES[arch], DISCOVERY_ARG, arch),
                 '    initrd /discovery/%s/marker.initrd' % arch,
                 '  }',
                 'fi']
    with open(os.path.join(tftp_root, 'grub.cfg'), 'w') as f:
        f.write('\n'.join(grub) + '\n')
    path = os.path.join(tftp_root, DISCOVERY_FILES[2])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('DEFAULT discovery\n'
                'LABEL discovery\n'
                '  KERNEL ::/discovery/x86_64/vmlinuz\n'
                '  APPEND initrd=::/discovery/x86_64/marker.initrd %s '
                '%sx86_64\n'
                '  IPAPPEND 2\n' % (CONSOLES['x86_64'], DISCOVERY_ARG))


@dataclasses.dataclass
class BootLab:
    assets: object
    ironic: object
    http_port: int
    nodes: dict
    lab: object = None          # multiarch_lab.Lab
    dnsmasq: object = None      # multiarch_lab.Dnsmasq
    http: object = None         # multiarch_lab.HttpServer
    generated_conf: str = None  # ironic-multiarch dnsmasq output file
    workdir: str = None


def enroll(ironic, nodes, secure_boot=SECURE_BOOT):
    """Enroll ``nodes`` (see :data:`NODES`), take them to ``clean wait``.

    :returns: ``{name: BootNode}``.
    """
    return fleet.enroll(ironic, nodes, secure_boot)


@pytest.fixture(scope='session')
def boot_assets():
    """:class:`~multiarch_lab.Assets` (installs packages if missing)."""
    return harness.provision()


@pytest.fixture(scope='session')
def boot_lab(boot_assets, tmp_path_factory):
    """A running Ironic with the :data:`NODES` in ``clean wait``, a lab
    whose dnsmasq and HTTP server serve it, and the discovery configs of
    :data:`UNKNOWN` machines."""
    workdir = str(tmp_path_factory.mktemp('boot-ironic'))
    with multiarch_lab.Lab(os.path.join(workdir, 'lab'), subnet='10.20.0',
                           assets=boot_assets) as lab:
        assert lab.bridge_ip == SERVER
        ironic = fleet.make_ironic(lab, os.path.join(workdir, 'ironic'),
                                   boot_assets, HTTP_PORT)
        ironic.start()
        try:
            generated = fleet.generated_dnsmasq_conf(
                ironic, os.path.join(workdir, 'unknown-nodes.conf'))
            write_discovery(ironic.tftp_root,
                            ironic.path('boot-images'))
            dns, http = fleet.serve(lab, ironic, generated, HTTP_PORT)
            yield BootLab(boot_assets, ironic, HTTP_PORT,
                          enroll(ironic, NODES), lab=lab, dnsmasq=dns,
                          http=http, generated_conf=generated,
                          workdir=workdir)
        finally:
            ironic.stop()
