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

"""In-process driver tests on Ironic's own DbTestCase (sqlite).

Ironic's test package must be imported before anything pulls in
oslo.service, and the plugin modules at collection time (Ironic's
TestCase forbids the subprocesses a lazy stevedore scan may start).
"""

import ironic.tests.unit  # noqa: F401  (must come first)

import os

from ironic.common import dhcp_factory
from ironic.conductor import task_manager
from ironic.tests.base import TestCase
from ironic.tests.unit.db import base as db_base
from ironic.tests.unit.objects import utils as obj_utils

from ironic_multiarch.driver import boot  # noqa: F401
from ironic_multiarch.driver import config as ma_config
from ironic_multiarch.driver import hardware  # noqa: F401
from ironic_multiarch.profiles import loader

# pytest's unittest runner reads attributes after Ironic's cleanup would
# have deleted them.
TestCase._clear_attrs = lambda self: None

loader.installed()

API_URL = 'http://192.0.2.1:6385'
LOADERS = {'x86_64': ('pxelinux.0', 'ldlinux.c32', 'undionly.kpxe',
                      'snponly.efi', 'grubx64.efi', 'bootx64.efi'),
           'aarch64': ('grubaa64.efi', 'bootaa64.efi', 'snponly.efi'),
           'ppc64le': ()}


class MultiarchDbTestCase(db_base.DbTestCase):
    """A conductor with a hybrid-fleet configuration in a temp dir."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(
            __import__('fixtures').TempDir()).path
        self.tftp = self._dir('tftpboot')
        self.http = self._dir('httpboot')
        self.opts_dir = self._dir('dnsmasq', 'opts')
        self.config(tftp_root=self.tftp, tftp_server='192.0.2.1',
                    tftp_master_path=self._dir('master'),
                    instance_master_path=self._dir('instance_master'),
                    group='pxe')
        self.config(http_root=self.http, http_url='http://192.0.2.1:8080',
                    group='deploy')
        self.config(file_url_allowed_paths=[self.tmp], group='conductor')
        self.config(dhcp_provider='dnsmasq', group='dhcp')
        self.config(dhcp_optsdir=self.opts_dir,
                    dhcp_hostsdir=self._dir('dnsmasq', 'hosts'),
                    dhcp_leasefile=os.path.join(self.tmp, 'leases'),
                    group='dnsmasq')
        # Ironic's dnsmasq provider reads the lease file: it must exist.
        open(os.path.join(self.tmp, 'leases'), 'a').close()
        dhcp_factory.DHCPFactory._dhcp_provider = None
        self.config(enabled_hardware_types=['multiarch-manual',
                                            'fake-hardware'])
        self.config(enabled_boot_interfaces=['multiarch-pxe',
                                             'multiarch-ipxe', 'fake', 'pxe'])
        ma_config.register_opts()
        self.config(menu_timeout=0, group='multiarch')
        for arch, names in LOADERS.items():
            group = 'multiarch_%s' % arch
            for role in ('deploy_kernel', 'deploy_ramdisk', 'rescue_kernel',
                         'rescue_ramdisk'):
                self.config(**{role: self.image(arch, role), 'group': group})
            self.config(loader_paths={
                n: self.host_file('loaders/%s/%s' % (arch, n), n)
                for n in names}, group=group)

    def _dir(self, *parts):
        path = os.path.join(self.tmp, *parts)
        os.makedirs(path, exist_ok=True)
        return path

    def host_file(self, relpath, content):
        """Create a file under the temp dir and return its path."""
        path = os.path.join(self.tmp, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(content)
        return path

    def image(self, arch, role):
        """A file:// image whose content names its arch and role."""
        return 'file://' + self.host_file('images/%s.%s' % (arch, role),
                                          '%s %s\n' % (arch, role))

    def make_node(self, cpu_arch, boot_mode='uefi',
                  boot_interface='multiarch-pxe', mac='52:54:00:12:34:56',
                  **kw):
        """Create a multiarch-manual node with one PXE port."""
        port_uuid = kw.pop('port_uuid', 'c1ed3e0a-9e52-4b2a-8f3e-0c1a2b3c4d5e')
        properties = {'capabilities': 'boot_mode:%s' % boot_mode}
        if cpu_arch is not None:
            properties['cpu_arch'] = cpu_arch
        node = obj_utils.create_test_node(
            self.context, driver='multiarch-manual', uuid=kw.pop(
                'uuid', '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'),
            boot_interface=boot_interface, power_interface='fake',
            management_interface='fake',
            deploy_interface=kw.pop('deploy_interface', 'direct'),
            properties=properties, driver_info=kw.pop('driver_info', {}),
            **kw)
        obj_utils.create_test_port(self.context, node_id=node.id,
                                   address=mac, pxe_enabled=True,
                                   uuid=port_uuid)
        return node

    def acquire(self, node):
        """An exclusive task on ``node``."""
        return task_manager.acquire(self.context, node.uuid)

    def read(self, root, relpath):
        """Text of a file below a root."""
        with open(os.path.join(root, relpath)) as f:
            return f.read()

    def opts_file(self, node):
        """Text of the dnsmasq option file Ironic wrote for ``node``."""
        return self.read(self.opts_dir, 'ironic-%s.conf' % node.uuid)
