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

"""One conductor, real power, real DHCP, a real agent: the life-cycle lab.

:class:`LifecycleLab` puts together, and always tears down:

- a :class:`~multiarch_lab.lab.Lab` (namespace, bridge, dnsmasq on
  Ironic's hosts and option directories, an HTTP server on Ironic's HTTP
  root and one serving the instance image), joined to the root namespace
  by :meth:`~multiarch_lab.lab.Lab.uplink`;
- :class:`~multiarch_lab.bmc.Bmc`: libvirtd in the namespace, sushy-tools
  (Redfish) and VirtualBMC (IPMI) on 127.0.0.1;
- a :class:`~multiarch_lab.standalone.StandaloneIronic` whose API listens
  on the uplink's address (the ``ipa-api-url`` the agent gets), with the
  real deploy ramdisks of :mod:`multiarch_lab.ipa_ramdisk` per
  architecture and real loaders;
- libvirt domains per node, with the MACs of their ports.

The nodes (:data:`NODES`) and what happens to them are in
:mod:`multiarch_lab.lifecycle_run`.
"""

import dataclasses
import os
import shutil

from multiarch_lab import assets as assets_mod
from multiarch_lab import bmc as bmc_mod
from multiarch_lab import disk_image
from multiarch_lab import fleet
from multiarch_lab import images as images_mod
from multiarch_lab import ipa_ramdisk
from multiarch_lab import lab as lab_mod
from multiarch_lab import standalone

HTTP_PORT = fleet.HTTP_PORT
#: The port of the HTTP server that serves the instance image.
IMAGE_PORT = 8081

GRUB = {'x86_64': 'grubx64.efi', 'aarch64': 'grubaa64.efi'}
#: Ironic's ``[pxe]initial_grub_template`` (``grub/grub.cfg`` in both
#: roots), extended for discovery: the network GRUB of a machine Ironic
#: knows sources the config Ironic linked for its MAC, as Ironic's own
#: template does; any other machine boots its architecture's agent with
#: ``ipa-inspection-callback-url``. GRUB can test neither a file's
#: existence over TFTP or HTTP nor whether ``source`` found its file, but
#: every config Ironic or this plugin writes sets ``default``.
DISCOVERY_GRUB = """echo Booting from $prefix
source {{ tftp_root }}/$net_default_mac.conf
if [ -z "$default" ]; then
    echo "No config for $net_default_mac: discovery"
    set default=discovery
    set timeout=0
%(entries)s
fi
"""
DISCOVERY_ENTRY = """    if [ "$grub_cpu" = "%(grub_cpu)s" ]; then
        menuentry "discovery" --id discovery {
            linux /discovery/%(arch)s/vmlinuz %(console)s BOOTIF=$net_default_mac ipa-api-url=%(api)s ipa-inspection-callback-url=%(api)s/v1/continue_inspection
            initrd /discovery/%(arch)s/initramfs
        }
    fi"""
#: ``$grub_cpu`` and the agent's console per architecture.
DISCOVERY_ARCH = {'x86_64': ('x86_64', 'console=ttyS0,115200n8'),
                  'aarch64': ('arm64', 'console=ttyAMA0,115200')}


@dataclasses.dataclass(frozen=True)
class NodeSpec:
    """A node of the life-cycle lab and the machine behind it."""

    name: str
    arch: str
    driver: str
    boot_interface: str
    mac: str
    http_boot: bool = False

    @property
    def bmc(self):
        """:returns: ``redfish`` or ``ipmi``."""
        return 'ipmi' if self.driver.endswith('ipmi') else 'redfish'


#: Every node is UEFI. The deployed image carries both architectures'
#: removable-media loaders.
NODES = {spec.name: spec for spec in (
    NodeSpec('x86-redfish-pxe', 'x86_64', 'multiarch-redfish',
             'multiarch-pxe', '52:54:00:c0:86:01'),
    NodeSpec('arm-redfish-pxe', 'aarch64', 'multiarch-redfish',
             'multiarch-pxe', '52:54:00:c0:aa:01'),
    NodeSpec('x86-ipmi-ipxe', 'x86_64', 'multiarch-ipmi', 'multiarch-ipxe',
             '52:54:00:c0:86:02'),
    NodeSpec('arm-redfish-http', 'aarch64', 'multiarch-redfish',
             'multiarch-http', '52:54:00:c0:aa:02', http_boot=True),
)}
#: Nodes of the fault tests.
FAULT_NODES = {spec.name: spec for spec in (
    NodeSpec('x86-fault', 'x86_64', 'multiarch-redfish', 'multiarch-pxe',
             '52:54:00:c0:86:f1'),
    NodeSpec('arm-fault', 'aarch64', 'multiarch-redfish', 'multiarch-pxe',
             '52:54:00:c0:aa:f1'),
)}


def ironic_conf(ramdisks, loaders, cache_dirs):
    """The ``extra_conf`` of the lab's Ironic.

    :param ramdisks: ``{arch: ipa_ramdisk.Ramdisk}``.
    :param loaders: ``{group: {'loader_paths': ...}}`` from
        :func:`multiarch_lab.fleet.build_images`.
    :param cache_dirs: more directories ``file://`` hrefs may name.
    """
    conf = {
        'DEFAULT': {
            'enabled_hardware_types': 'multiarch-redfish,multiarch-ipmi',
            'enabled_boot_interfaces': 'multiarch-pxe,multiarch-ipxe,'
                                       'multiarch-http,multiarch-http-ipxe',
            'enabled_power_interfaces': 'redfish,ipmitool',
            'enabled_management_interfaces': 'redfish,ipmitool,noop',
            'enabled_inspect_interfaces': 'agent,no-inspect',
            'enabled_rescue_interfaces': 'agent,no-rescue',
            'enabled_bios_interfaces': 'no-bios',
            'enabled_firmware_interfaces': 'no-firmware',
            'enabled_raid_interfaces': 'no-raid,agent',
            'enabled_vendor_interfaces': 'no-vendor',
            'enabled_console_interfaces': 'no-console',
        },
        'conductor': {
            # The ramdisks are zstd cpio archives, which the kernel reads.
            'disable_zstandard_decompression': True,
            'automated_clean': False,
            'file_url_allowed_paths': ','.join(cache_dirs),
        },
        'deploy': {'erase_devices_priority': 0,
                   'erase_devices_metadata_priority': 10,
                   'fast_track': False},
        'agent': {'deploy_logs_collect': 'never'},
        # A BMC that is gone fails a power action after two attempts
        # (each a few connection retries of sushy's) instead of five.
        'redfish': {'connection_attempts': 2,
                    'connection_retry_interval': 2},
        'inspector': {'hooks': '$default_hooks,multiarch-architecture'},
        'auto_discovery': {'enabled': True, 'driver': 'multiarch-redfish'},
        'multiarch': {'enabled_architectures': 'x86_64,aarch64',
                      'menu_timeout': 0},
    }
    for arch, ramdisk in ramdisks.items():
        group = dict(loaders.get('multiarch_%s' % arch, {}))
        group.pop('deploy_kernel', None)
        group.pop('deploy_ramdisk', None)
        for role in ('deploy', 'rescue'):
            group['%s_kernel' % role] = 'file://' + ramdisk.kernel
            group['%s_ramdisk' % role] = 'file://' + ramdisk.ramdisk
        conf['multiarch_%s' % arch] = group
    return conf


class LifecycleLab(object):
    """The lab, its BMCs, Ironic and one libvirt domain per node.

    :param workdir: where everything goes (serial logs and console sockets
        under ``bmc/``).
    :param nodes: the :class:`NodeSpec` to create domains for.
    :param assets: :class:`~multiarch_lab.assets.Assets` (provisioned if
        None).
    :param ramdisks: ``{arch: ipa_ramdisk.Ramdisk}`` (built if None).
    """

    def __init__(self, workdir, nodes=tuple(NODES.values()), assets=None,
                 ramdisks=None, progress=None):
        self.workdir = os.path.abspath(workdir)
        self.nodes = {spec.name: spec for spec in nodes}
        self.assets = assets
        self.ramdisks = ramdisks
        self.progress = progress or (lambda text: None)
        self.lab = self.bmc = self.ironic = self.dnsmasq = None
        self.domains = {}
        self.image = self.image_sha256 = self.image_url = None

    def path(self, *parts):
        return os.path.join(self.workdir, *parts)

    def start(self):
        """Bring everything up; on failure tear down what was started."""
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self):
        os.makedirs(self.workdir, exist_ok=True)
        arches = sorted({spec.arch for spec in self.nodes.values()})
        if self.assets is None:
            self.assets = assets_mod.provision()
        if self.ramdisks is None:
            self.ramdisks = ipa_ramdisk.build_all(arches)
        self.progress('deploy ramdisks: %s' % ', '.join(
            '%s %.0f MB' % (a, r.ramdisk_size / 1e6)
            for a, r in sorted(self.ramdisks.items())))
        tools = bmc_mod.provision_bmc()
        self.lab = lab_mod.Lab(self.path('lab'), assets=self.assets)
        api_ip = self.lab.uplink()
        self.progress('lab %s: bridge %s, Ironic on %s' % (
            self.lab.ns, self.lab.bridge_ip, api_ip))
        self.bmc = bmc_mod.Bmc(self.lab, self.path('bmc'), self.assets,
                               tools=tools)
        self.bmc.start()
        self.progress('libvirtd, sushy-tools and VirtualBMC up')
        loaders = self._loaders(arches)
        cache_dirs = [self.path('ironic')] + sorted(
            {os.path.dirname(path) for r in self.ramdisks.values()
             for path in (r.kernel, r.ramdisk)})
        port = standalone.free_port(api_ip)
        conf = ironic_conf(self.ramdisks, loaders, cache_dirs)
        conf['pxe'] = {'initial_grub_template': self._discovery(
            'http://%s:%d' % (api_ip, port),
            self.path('ironic', 'tftpboot'))}
        self.ironic = standalone.StandaloneIronic(
            self.path('ironic'),
            hardware_types=('multiarch-redfish', 'multiarch-ipmi'),
            extra_conf=conf, tftp_server=self.lab.bridge_ip,
            http_url=self.lab.http_url(HTTP_PORT), api_host=api_ip,
            port=port)
        self.ironic.start()
        self.progress('Ironic API %s' % self.ironic.url)
        generated = fleet.generated_dnsmasq_conf(
            self.ironic, self.path('unknown-nodes.conf'))
        self.dnsmasq, _ = fleet.serve(self.lab, self.ironic, generated)
        images = self.path('images')
        os.makedirs(images, exist_ok=True)
        self.image, self.image_sha256 = disk_image.build_local_boot_disk(
            self.assets, os.path.join(images, 'disk.img'))
        self.lab.http_server(images, IMAGE_PORT)
        self.image_url = '%s/disk.img' % self.lab.http_url(IMAGE_PORT)
        for spec in list(self.nodes.values()):
            self.add_node(spec)
        self.progress('dnsmasq, HTTP and %d domains ready'
                      % len(self.domains))

    def _loaders(self, arches):
        """Real loaders; GRUB built the way Debian builds its network
        GRUB (prefix ``/grub`` on the server it came from), so the same
        file boots over TFTP and over UEFI HTTP."""
        images = self.path('boot-images')
        loaders = fleet.build_images(self.assets, images, tuple(arches))
        for arch in arches:
            name = GRUB[arch]
            loaders['multiarch_%s' % arch]['loader_paths'][name] = (
                images_mod.build_grub_efi(
                    self.assets, arch,
                    os.path.join(images, arch, 'net-' + name),
                    netboot=True))
        return loaders

    def _discovery(self, api, tftp_root):
        """Write the discovery GRUB template; link the agents it boots.

        :returns: the template's path, for ``[pxe]initial_grub_template``.
        """
        entries = []
        for arch, ramdisk in sorted(self.ramdisks.items()):
            directory = os.path.join(tftp_root, 'discovery', arch)
            os.makedirs(directory, exist_ok=True)
            for src, name in ((ramdisk.kernel, 'vmlinuz'),
                              (ramdisk.ramdisk, 'initramfs')):
                dest = os.path.join(directory, name)
                if not os.path.exists(dest):
                    try:
                        os.link(src, dest)
                    except OSError:
                        shutil.copyfile(src, dest)
            grub_cpu, console = DISCOVERY_ARCH[arch]
            entries.append(DISCOVERY_ENTRY % {
                'grub_cpu': grub_cpu, 'arch': arch, 'console': console,
                'api': api})
        path = self.path('discovery-grub.cfg.template')
        with open(path, 'w') as f:
            f.write(DISCOVERY_GRUB % {'entries': '\n'.join(entries)})
        return path

    def add_node(self, spec):
        """Define a domain for one more :class:`NodeSpec`."""
        self.nodes[spec.name] = spec
        self.domains[spec.name] = self.bmc.define(
            spec.name, spec.arch, spec.mac, http_boot=spec.http_boot)
        return self.domains[spec.name]

    def driver_info(self, spec):
        """The BMC half of a node's ``driver_info``."""
        domain = self.domains[spec.name]
        if spec.bmc == 'ipmi':
            return self.bmc.add_ipmi(domain)
        return self.bmc.redfish_driver_info(domain)

    def serial_log(self, name):
        """:returns: the text of a node's serial log so far."""
        try:
            with open(self.domains[name].serial_log, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def close(self):
        """Stop Ironic, the BMCs and the lab. Safe to call twice."""
        for part in (self.ironic, self.bmc, self.lab):
            if part is not None:
                try:
                    (part.stop if part is self.ironic else part.close)()
                except Exception:   # tear down the rest regardless
                    pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
