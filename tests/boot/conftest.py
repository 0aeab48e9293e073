"""Fixtures of the QEMU boot tests: a real Ironic that QEMU machines boot.

``boot_lab`` (one per session) provisions the host (apt packages, arm64
GRUB, kernels), builds real loaders and marker initramfs, starts a
:class:`~ironic_multiarch.standalone.StandaloneIronic` whose
``[pxe]tftp_server`` is ``10.0.2.2`` (QEMU user-net's host) and whose
``[deploy]http_url`` is ``http://10.0.2.2:<port>``, served by a threaded
HTTP server on ``127.0.0.1:<port>`` (user-net maps one to the other),
enrolls one node per case through openstacksdk and takes it to
``clean wait``. Every QEMU boot then reads what the conductor wrote.
"""

import dataclasses
import functools
import http.server
import os
import re
import shutil
import threading
import time

import pytest

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import plan as plan_cmd
from ironic_multiarch import standalone
from tests.boot import harness

#: QEMU user-net: the host as seen by the guest (DHCP next-server too).
GUEST_HOST = '10.0.2.2'

#: name -> (cpu_arch, firmware, boot interface, MAC)
NODES = {
    'arm-uefi-pxe': ('aarch64', 'uefi', 'multiarch-pxe',
                     '52:54:00:b0:aa:01'),
    'x86-bios-pxe': ('x86_64', 'bios', 'multiarch-pxe', '52:54:00:b0:86:01'),
    'x86-uefi-pxe': ('x86_64', 'uefi', 'multiarch-pxe', '52:54:00:b0:86:02'),
    'x86-bios-ipxe': ('x86_64', 'bios', 'multiarch-ipxe',
                      '52:54:00:b0:86:03'),
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class HttpRoot:
    """A threaded HTTP server of ``directory`` on ``127.0.0.1:port``."""

    def __init__(self, directory, port=None):
        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', port or 0),
            functools.partial(_QuietHandler, directory=directory))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def build_images(assets, directory, arches=('aarch64', 'x86_64')):
    """Copy the kernels, build marker ramdisks and loaders into directory.

    :returns: ``{group: {option: value}}`` for the ``[multiarch_<arch>]``
        groups (file:// hrefs and ``loader_paths``).
    """
    conf = {}
    loaders = {'aarch64': {}, 'x86_64': {}}
    for arch in arches:
        d = os.path.join(directory, arch)
        os.makedirs(d, exist_ok=True)
        kernel = os.path.join(d, 'vmlinuz')
        shutil.copyfile(assets.kernels[arch], kernel)
        ramdisk = harness.build_marker_initramfs(
            assets, arch, os.path.join(d, 'marker.initrd'))
        conf['multiarch_%s' % arch] = {'deploy_kernel': 'file://' + kernel,
                                       'deploy_ramdisk': 'file://' + ramdisk}
    grub = {'aarch64': 'grubaa64.efi', 'x86_64': 'grubx64.efi'}
    for arch in arches:
        loaders[arch][grub[arch]] = harness.build_grub_efi(
            assets, arch, os.path.join(directory, arch, grub[arch]))
    if 'x86_64' in arches:
        loaders['x86_64'].update({
            'pxelinux.0': assets.pxelinux, 'ldlinux.c32': assets.ldlinux,
            'undionly.kpxe': '/usr/lib/ipxe/undionly.kpxe',
            'snponly.efi': '/usr/lib/ipxe/snponly.efi'})
    for arch in arches:
        conf['multiarch_%s' % arch]['loader_paths'] = loaders[arch]
    return conf


def dnsmasq_opts(ironic, uuid):
    """The options Ironic's dnsmasq provider wrote for a node.

    :returns: ``{option name: value}`` from ``ironic-<uuid>.conf``
        (lines ``tag:<node tag>,<name>,<value>``).
    """
    path = os.path.join(ironic.dnsmasq_opts_dir, 'ironic-%s.conf' % uuid)
    with open(path) as f:
        return dict(re.match(r'tag:[0-9a-f-]+,(.*),([^,]*)$', line).groups()
                    for line in f.read().splitlines())


def bootfile(opts):
    """The option 67 a PXE client gets (iPXE: the ``tag:ipxe`` one).

    QEMU's NIC ROM is iPXE, which dnsmasq would hand the ``tag:ipxe``
    value (the boot.ipxe URL).
    """
    return opts.get('tag:ipxe,67') or opts['67']


@dataclasses.dataclass
class BootNode:
    """One enrolled node in ``clean wait`` and what it should boot."""

    name: str
    uuid: str
    arch: str
    firmware: str
    interface: str
    mac: str
    plan: object          # BootPlan computed by the CLI planner
    opts: dict            # the dnsmasq options Ironic wrote
    bootfile: str


@dataclasses.dataclass
class BootLab:
    assets: object
    ironic: object
    http_port: int
    nodes: dict


def _wait(conn, node, state, timeout=90):
    deadline = time.monotonic() + timeout
    while True:
        current = conn.baremetal.get_node(node.id)
        if current.provision_state == state:
            return current
        if current.last_error:
            raise AssertionError('%s: %s' % (node.name, current.last_error))
        if time.monotonic() > deadline:
            raise AssertionError('%s did not reach %s (is %s)' % (
                node.name, state, current.provision_state))
        time.sleep(0.3)


def enroll(ironic, nodes):
    """Enroll ``nodes`` (see :data:`NODES`), take them to ``clean wait``.

    :returns: ``{name: BootNode}``.
    """
    conn = ironic.connection()
    ctx = common.load_context([ironic.conf_file])
    assert ctx.settings is not None, ctx.error
    made = {}
    for name, (arch, firmware, iface, mac) in nodes.items():
        node = conn.baremetal.create_node(
            name=name, driver='multiarch-manual', boot_interface=iface,
            deploy_interface='direct', power_interface='fake',
            management_interface='fake', automated_clean=True,
            properties={'cpu_arch': arch,
                        'capabilities': 'boot_mode:%s' % firmware})
        conn.baremetal.create_port(node_id=node.id, address=mac,
                                   pxe_enabled=True)
        result = conn.baremetal.validate_node(node.id, required=None)
        assert result['boot'].result, (name, result['boot'].reason)
        conn.baremetal.set_node_provision_state(node.id, 'manage')
        _wait(conn, node, 'manageable')
        conn.baremetal.set_node_provision_state(node.id, 'provide')
        made[name] = node
    out = {}
    for name, node in made.items():
        _wait(conn, node, 'clean wait')
        api_node, ports = plan_cmd.fetch_node(conn, node.id)
        bp, _ = plan_cmd.make_plan(ctx, api_node, ports)
        opts = dnsmasq_opts(ironic, node.id)
        arch, firmware, iface, mac = nodes[name]
        out[name] = BootNode(name, node.id, arch, firmware, iface, mac, bp,
                             opts, bootfile(opts))
    return out


@pytest.fixture(scope='session')
def boot_assets():
    """:class:`~tests.boot.assets.Assets` (installs packages if missing)."""
    return harness.provision()


@pytest.fixture(scope='session')
def boot_lab(boot_assets, tmp_path_factory):
    """A running Ironic with the :data:`NODES` in ``clean wait``."""
    workdir = str(tmp_path_factory.mktemp('boot-ironic'))
    extra = build_images(boot_assets, os.path.join(workdir, 'images'))
    extra['multiarch'] = {'enabled_architectures': 'x86_64,aarch64',
                          'menu_timeout': 0}
    http_root = os.path.join(workdir, 'httpboot')   # StandaloneIronic's
    os.makedirs(http_root)
    with HttpRoot(http_root) as server:
        ironic = standalone.StandaloneIronic(
            workdir, extra_conf=extra, tftp_server=GUEST_HOST,
            http_url='http://%s:%d' % (GUEST_HOST, server.port))
        assert ironic.http_root == http_root
        ironic.start()
        try:
            yield BootLab(boot_assets, ironic, server.port,
                          enroll(ironic, NODES))
        finally:
            ironic.stop()
