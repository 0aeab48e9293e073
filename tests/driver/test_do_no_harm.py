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

"""What Ironic's own pxe/ipxe interfaces do, multiarch does too.

One test per behaviour the multiarch interfaces once dropped; each
expectation is Ironic's documented behaviour, written out here.
"""

import ironic.tests.unit  # noqa: F401  (must come first)

import os
from unittest import mock

from ironic.common import boot_devices
from ironic.common import exception
from ironic.conductor import utils as manager_utils
from ironic.drivers.modules.fake import FakeManagement

from tests.driver import base

MAC = '52:54:00:12:34:56'
DASHES = '52-54-00-12-34-56'
UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'
GRUB_LOCAL = '''set default=local
set timeout=0
set hidden_timeout_quiet=false

# [pxe]enable_netboot_fallback: hand the machine back to its firmware,
# which boots the next entry of its boot order (the local disk).
menuentry "local" {
    exit
}
'''
PXELINUX_LOCAL = '''DEFAULT local
TIMEOUT 0

# [pxe]enable_netboot_fallback: boot the first local disk.
LABEL local
    LOCALBOOT 0
'''
IPXE_LOCAL = '''#!ipxe

# [pxe]enable_netboot_fallback: boot the first local disk.
sanboot --no-describe || exit 0
'''


class DoNoHarmTestCase(base.MultiarchDbTestCase):

    def setUp(self):
        super().setUp()
        self.config(enabled_deploy_interfaces=['direct', 'ramdisk',
                                               'anaconda'])

    def _hosts(self, mac=MAC):
        return self.read(os.path.join(self.tmp, 'dnsmasq', 'hosts'),
                         'ironic-%s.conf' % mac)

    def _prepare(self, node):
        with self.acquire(node) as task:
            task.driver.boot.prepare_ramdisk(task,
                                             {'ipa-api-url': base.API_URL})

    def test_clean_up_ramdisk_leaves_dhcp_to_the_deploy_interface(self):
        node = self.make_node('aarch64', provision_state='cleaning')
        self._prepare(node)
        with self.acquire(node) as task:
            task.driver.boot.clean_up_ramdisk(task)
        node.refresh()
        tag = node.driver_internal_info['dnsmasq_tag']
        self.assertEqual('%s,set:%s,set:ironic\n' % (MAC, tag),
                         self._hosts())
        self.assertIn('tag:%s,67,multiarch/aarch64/grubaa64.efi\n' % tag,
                      self.opts_file(node))
        self.assertFalse(os.path.exists(os.path.join(self.tftp, UUID)))

    def test_clean_up_instance_leaves_dhcp_to_the_deploy_interface(self):
        node = self.make_node('x86_64', provision_state='deleting')
        self._prepare(node)
        with self.acquire(node) as task:
            task.driver.boot.clean_up_instance(task)
        self.assertNotIn('ignore', self._hosts())

    def _local_instance(self, arch, boot_mode, iface, state='deploying',
                        **props):
        node = self.make_node(arch, boot_mode, iface,
                              provision_state=state,
                              instance_info={'image_source': 'http://x/i'})
        if props:
            node.properties = dict(node.properties, **props)
            node.save()
        return node

    @mock.patch.object(manager_utils, 'node_set_boot_device', autospec=True)
    def test_netboot_fallback_writes_local_boot_config(self, set_dev):
        self.config(enable_netboot_fallback=True, group='pxe')
        cases = [('x86_64', 'uefi', 'multiarch-pxe', self.tftp,
                  GRUB_LOCAL, ['grub.cfg-01-' + DASHES, MAC + '.conf']),
                 ('x86_64', 'bios', 'multiarch-pxe', self.tftp,
                  PXELINUX_LOCAL,
                  ['multiarch/x86_64/pxelinux.cfg/01-' + DASHES]),
                 ('aarch64', 'uefi', 'multiarch-ipxe', self.http,
                  IPXE_LOCAL, ['pxelinux.cfg/' + DASHES])]
        for arch, mode, iface, root, text, links in cases:
            node = self._local_instance(arch, mode, iface)
            with self.acquire(node) as task:
                task.driver.boot.prepare_instance(task)
            self.assertEqual(text, self.read(root, UUID + '/config'))
            for name in links:
                self.assertEqual(text, self.read(root, name), name)
            self.assertFalse(os.path.exists(
                os.path.join(root, UUID, 'deploy_kernel')))
            set_dev.assert_called_once_with(mock.ANY, boot_devices.DISK,
                                            persistent=True)
            set_dev.reset_mock()
            node.destroy()

    @mock.patch.object(manager_utils, 'node_set_boot_device', autospec=True)
    def test_netboot_fallback_rebuilt_on_takeover_of_active_node(
            self, set_dev):
        self.config(enable_netboot_fallback=True, group='pxe')
        node = self._local_instance('x86_64', 'uefi', 'multiarch-pxe',
                                    state='active')
        with self.acquire(node) as task:
            task.driver.boot.prepare_instance(task)
        self.assertEqual(GRUB_LOCAL, self.read(self.tftp, UUID + '/config'))
        self.assertEqual(GRUB_LOCAL, self.read(self.tftp, MAC + '.conf'))
        set_dev.assert_not_called()

    def test_without_netboot_fallback_local_boot_removes_config(self):
        node = self._local_instance('x86_64', 'uefi', 'multiarch-pxe',
                                    state='cleaning')
        self._prepare(node)
        node.provision_state = 'active'
        node.save()
        with self.acquire(node) as task:
            task.driver.boot.prepare_instance(task)
        self.assertFalse(os.path.lexists(os.path.join(self.tftp,
                                                      MAC + '.conf')))
        self.assertFalse(os.path.exists(os.path.join(self.tftp, UUID)))

    @mock.patch.object(manager_utils, 'node_set_boot_device', autospec=True)
    def test_lenovo_uefi_deploy_keeps_nvram(self, set_dev):
        node = self._local_instance('x86_64', 'uefi', 'multiarch-pxe',
                                    vendor='Lenovo')
        with self.acquire(node) as task:
            task.driver.boot.prepare_instance(task)
        set_dev.assert_not_called()

    @mock.patch.object(FakeManagement, 'get_boot_mode', autospec=True,
                       return_value='bios')
    @mock.patch.object(FakeManagement, 'get_supported_boot_modes',
                       autospec=True, return_value=['bios', 'uefi'])
    def test_plan_follows_boot_mode_synced_from_bmc(self, _modes, _get):
        node = self.make_node('x86_64', provision_state='cleaning')
        node.properties = {'cpu_arch': 'x86_64'}
        node.save()
        self._prepare(node)
        self.assertIn('67,multiarch/x86_64/pxelinux.0\n',
                      self.opts_file(node))
        self.assertIn('IPAPPEND 2',
                      self.read(self.tftp, UUID + '/config'))

    def _refused(self, node, words):
        with self.acquire(node) as task:
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    task.driver.boot.validate, task)
        for word in words:
            self.assertIn(word, str(exc))

    def test_kickstart_refused_at_validate(self):
        node = self.make_node('x86_64', deploy_interface='anaconda',
                              instance_info={'image_source': 'http://x/i'})
        self._refused(node, ['Node %s (cpu_arch x86_64)' % UUID,
                             'anaconda deploy (boot_option kickstart)',
                             '--boot-interface pxe'])

    def test_iscsi_boot_from_volume_refused_at_validate(self):
        node = self.make_node('x86_64')
        with mock.patch('ironic.drivers.modules.deploy_utils.is_iscsi_boot',
                        autospec=True, return_value=True):
            self._refused(node, ['booting from an iSCSI volume',
                                 '--boot-interface ipxe'])

    def test_boot_iso_refused_at_validate(self):
        node = self.make_node('x86_64', deploy_interface='ramdisk',
                              instance_info={'boot_iso': 'http://x/b.iso'})
        self._refused(node, ['booting instance_info/boot_iso',
                             '--boot-interface ipxe'])

    def test_file_href_outside_allowed_paths_refused_at_validate(self):
        self.config(file_url_allowed_paths=[os.path.join(self.tmp, 'ok')],
                    group='conductor')
        node = self.make_node('aarch64')
        with self.acquire(node) as task:
            exc = self.assertRaises(exception.InvalidParameterValue,
                                    task.driver.boot.validate, task)
        self.assertIn('cpu_arch aarch64', str(exc))
        self.assertIn('[multiarch_aarch64]deploy_kernel', str(exc))
        self.assertIn('[conductor]file_url_allowed_paths', str(exc))

    def test_ramdisk_instance_planned_at_validate(self):
        node = self.make_node(
            'x86_64', deploy_interface='ramdisk',
            instance_info={'kernel': 'http://x/k\nINITRD /etc/shadow',
                           'ramdisk': 'http://x/r'})
        with self.acquire(node) as task:
            self.assertRaises(exception.InvalidParameterValue,
                              task.driver.boot.validate, task)

    def test_properties_keep_ironic_s_own(self):
        node = self.make_node('x86_64')
        with self.acquire(node) as task:
            properties = task.driver.boot.get_properties()
        for name in ('force_persistent_boot_device', 'deploy_kernel',
                     'rescue_ramdisk', 'kernel_append_params'):
            self.assertIn(name, properties)
        self.assertIn('Optional', properties['deploy_kernel'])

    def test_grub_ip_address_links_as_ironic_makes_them(self):
        with open(os.path.join(self.tmp, 'leases'), 'w') as f:
            f.write('1900000000 %s 192.0.2.50 node-a *\n' % MAC)
        node = self.make_node('aarch64', provision_state='cleaning')
        self._prepare(node)
        link = os.path.join(self.tftp, '192.0.2.50.conf')
        self.assertEqual(UUID + '/config', os.readlink(link))
        self.assertIn('linux /%s/deploy_kernel'
                      % UUID, self.read(self.tftp, '192.0.2.50.conf'))
        with self.acquire(node) as task:
            task.driver.boot.clean_up_ramdisk(task)
        self.assertFalse(os.path.lexists(link))

    def test_instance_images_fetched_while_deploying(self):
        kernel = self.image('x86_64', 'user_kernel')
        ramdisk = self.image('x86_64', 'user_ramdisk')
        node = self.make_node(
            'x86_64', provision_state='deploying', deploy_interface='ramdisk',
            instance_info={'image_source': 'http://x/i', 'kernel': kernel,
                           'ramdisk': ramdisk})
        self._prepare(node)
        self.assertEqual('x86_64 user_kernel\n',
                         self.read(self.tftp, UUID + '/kernel'))
        self.assertEqual('x86_64 user_ramdisk\n',
                         self.read(self.tftp, UUID + '/ramdisk'))
