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

"""multiarch-http / multiarch-http-ipxe against Ironic in-process (sqlite).

UEFI HTTP boot: the firmware gets its own architecture's loader as a URL
below ``[deploy]http_url`` (here on port 8080), with option 60
``HTTPClient``; everything after it comes over HTTP from the server named
in full, port included.
"""

import ironic.tests.unit  # noqa: F401  (must come first)

import os
from unittest import mock

from ironic.common import boot_devices
from ironic.common import exception
from ironic.conductor import utils as manager_utils

from tests.driver import base

MAC = '52:54:00:12:34:56'
UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'
REQUEST_ID = 'req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11'

GRUB_X86_64 = """\
set default=deploy
set timeout=0
set hidden_timeout_quiet=false

menuentry "deploy" {
    linux (http,192.0.2.1:8080)/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
deploy_kernel selinux=0 troubleshoot=0 text nofb vga=normal \
console=ttyS0,115200n8 ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 \
boot_server=192.0.2.1 BOOTIF=${net_default_mac}
    initrd (http,192.0.2.1:8080)/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
deploy_ramdisk
}
"""

GRUB_AARCH64 = """\
set default=deploy
set timeout=0
set hidden_timeout_quiet=false

menuentry "deploy" {
    linux (http,192.0.2.1:8080)/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
deploy_kernel selinux=0 troubleshoot=0 text nofb vga=normal \
console=ttyAMA0,115200 ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 \
boot_server=192.0.2.1 BOOTIF=${net_default_mac}
    initrd (http,192.0.2.1:8080)/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
deploy_ramdisk
}
"""

IPXE = """\
#!ipxe

set attempts:int32 10
set i:int32 0

:deploy
imgfree
kernel http://192.0.2.1:8080/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
deploy_kernel selinux=0 troubleshoot=0 text nofb vga=normal \
%(console)s ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 \
BOOTIF=${mac} initrd=ramdisk || goto retry
initrd --name ramdisk http://192.0.2.1:8080/\
1be26c0b-03f2-4d2e-ae87-c02d7f33c123/deploy_ramdisk || goto retry
boot

:retry
iseq ${i} ${attempts} && goto fail ||
inc i
echo No response, retrying in ${i} seconds.
sleep ${i}
goto deploy

:fail
echo Failed to get a response after ${attempts} attempts
poweroff
"""

# What Ironic's http / http-ipxe interfaces send, with the loader of the
# node's own architecture: option 67 (IPv4) and 59 (IPv6) are URLs, 60 is
# HTTPClient, no TFTP server.
OPTS = {
    ('x86_64', 'multiarch-http'): """\
tag:%(tag)s,67,http://192.0.2.1:8080/multiarch/x86_64/grubx64.efi
tag:%(tag)s,60,HTTPClient
tag:%(tag)s,59,http://192.0.2.1:8080/multiarch/x86_64/grubx64.efi
""",
    ('aarch64', 'multiarch-http'): """\
tag:%(tag)s,67,http://192.0.2.1:8080/multiarch/aarch64/grubaa64.efi
tag:%(tag)s,60,HTTPClient
tag:%(tag)s,59,http://192.0.2.1:8080/multiarch/aarch64/grubaa64.efi
""",
    ('x86_64', 'multiarch-http-ipxe'): """\
tag:%(tag)s,tag:!ipxe,67,http://192.0.2.1:8080/multiarch/x86_64/snponly.efi
tag:%(tag)s,tag:ipxe,67,http://192.0.2.1:8080/boot.ipxe
tag:%(tag)s,60,HTTPClient
tag:%(tag)s,tag:!ipxe6,59,\
http://192.0.2.1:8080/multiarch/x86_64/snponly.efi
tag:%(tag)s,tag:ipxe6,59,http://192.0.2.1:8080/boot.ipxe
""",
    ('aarch64', 'multiarch-http-ipxe'): """\
tag:%(tag)s,tag:!ipxe,67,\
http://192.0.2.1:8080/multiarch/aarch64/snponly.efi
tag:%(tag)s,tag:ipxe,67,http://192.0.2.1:8080/boot.ipxe
tag:%(tag)s,60,HTTPClient
tag:%(tag)s,tag:!ipxe6,59,\
http://192.0.2.1:8080/multiarch/aarch64/snponly.efi
tag:%(tag)s,tag:ipxe6,59,http://192.0.2.1:8080/boot.ipxe
""",
}

CONFIGS = {
    ('x86_64', 'multiarch-http'): GRUB_X86_64,
    ('aarch64', 'multiarch-http'): GRUB_AARCH64,
    ('x86_64', 'multiarch-http-ipxe'): IPXE % {
        'console': 'console=ttyS0,115200n8'},
    ('aarch64', 'multiarch-http-ipxe'): IPXE % {
        'console': 'console=ttyAMA0,115200'},
}

#: per-MAC links in the HTTP root, and the loader the firmware fetches.
LINKS = {'multiarch-http': ['grub.cfg-01-52-54-00-12-34-56',
                            '52:54:00:12:34:56.conf'],
         'multiarch-http-ipxe': ['pxelinux.cfg/52-54-00-12-34-56']}
LOADERS = {('x86_64', 'multiarch-http'): 'multiarch/x86_64/grubx64.efi',
           ('aarch64', 'multiarch-http'): 'multiarch/aarch64/grubaa64.efi',
           ('x86_64', 'multiarch-http-ipxe'): 'multiarch/x86_64/snponly.efi',
           ('aarch64', 'multiarch-http-ipxe'):
               'multiarch/aarch64/snponly.efi'}


class HttpBootTestCase(base.MultiarchDbTestCase):

    def setUp(self):
        super().setUp()
        self.config(enabled_boot_interfaces=[
            'multiarch-pxe', 'multiarch-ipxe', 'multiarch-http',
            'multiarch-http-ipxe', 'fake', 'pxe'])
        self.context.global_request_id = REQUEST_ID


class PrepareRamdiskTestCase(HttpBootTestCase):
    """Each architecture gets its own loader URL and files over HTTP."""

    def _check(self, arch, iface):
        node = self.make_node(arch, 'uefi', iface,
                              provision_state='cleaning')
        with mock.patch.object(manager_utils, 'node_set_boot_device',
                               autospec=True) as set_device:
            with self.acquire(node) as task:
                task.driver.boot.validate(task)
                task.driver.boot.prepare_ramdisk(
                    task, {'ipa-api-url': base.API_URL})
        # Ironic's own choice of device for its HTTP interfaces.
        set_device.assert_called_once_with(mock.ANY, 'uefihttp',
                                           persistent=False)
        self.assertEqual(CONFIGS[(arch, iface)],
                         self.read(self.http, '%s/config' % UUID))
        for role in ('kernel', 'ramdisk'):
            self.assertEqual('%s deploy_%s\n' % (arch, role),
                             self.read(self.http,
                                       '%s/deploy_%s' % (UUID, role)))
            self.assertFalse(os.path.exists(os.path.join(self.tftp, UUID)))
        for name in LINKS[iface]:
            self.assertEqual(os.path.join(self.http, UUID, 'config'),
                             os.path.realpath(os.path.join(self.http, name)))
            self.assertFalse(os.path.lexists(os.path.join(self.tftp, name)))
        self.assertTrue(os.path.isfile(os.path.join(
            self.http, LOADERS[(arch, iface)])))
        # Ironic's grub.cfg sources <tftp_root>/$net_default_mac.conf:
        # over HTTP that path must lead to the HTTP root's <mac>.conf.
        alias = os.path.join(self.http, self.tftp.lstrip('/'))
        self.assertTrue(os.path.islink(alias))
        self.assertEqual(os.path.realpath(self.http),
                         os.path.realpath(alias))
        if iface == 'multiarch-http':
            self.assertEqual(
                os.path.realpath(os.path.join(self.http, UUID, 'config')),
                os.path.realpath(os.path.join(alias, MAC + '.conf')))
        node.refresh()
        self.assertEqual(OPTS[(arch, iface)] % {
            'tag': node.driver_internal_info['dnsmasq_tag']},
            self.opts_file(node))
        with self.acquire(node) as task:
            task.driver.boot.clean_up_ramdisk(task)
        self.assertFalse(os.path.exists(os.path.join(self.http, UUID)))
        for name in LINKS[iface]:
            self.assertFalse(os.path.lexists(os.path.join(self.http, name)))

    def test_x86_64_http(self):
        self._check('x86_64', 'multiarch-http')

    def test_aarch64_http(self):
        self._check('aarch64', 'multiarch-http')

    def test_x86_64_http_ipxe(self):
        self._check('x86_64', 'multiarch-http-ipxe')

    def test_aarch64_http_ipxe(self):
        self._check('aarch64', 'multiarch-http-ipxe')

    def test_http_url_with_a_path(self):
        self.config(http_url='http://192.0.2.1:8080/boot/', group='deploy')
        node = self.make_node('aarch64', 'uefi', 'multiarch-http')
        with self.acquire(node) as task:
            plan = task.driver.boot.plan(task)
        self.assertEqual(
            [('67', 'http://192.0.2.1:8080/boot/multiarch/aarch64/'
                    'grubaa64.efi', 4),
             ('60', 'HTTPClient', 4),
             ('59', 'http://192.0.2.1:8080/boot/multiarch/aarch64/'
                    'grubaa64.efi', 6)],
            [(o['opt_name'], o['opt_value'], o['ip_version'])
             for o in plan.dhcp_options])
        self.assertIn('    initrd (http,192.0.2.1:8080)/boot/'
                      '1be26c0b-03f2-4d2e-ae87-c02d7f33c123/deploy_ramdisk\n',
                      plan.config_text)

    def test_fallback_to_pxe_device(self):
        """A BMC without HTTP boot gets PXE: Ironic's own fallback."""
        node = self.make_node('x86_64', 'uefi', 'multiarch-http',
                              provision_state='cleaning')
        with mock.patch.object(manager_utils, 'node_set_boot_device',
                               autospec=True, side_effect=[
                                   exception.InvalidParameterValue('no'),
                                   None]) as set_device:
            with self.acquire(node) as task:
                task.driver.boot.prepare_ramdisk(
                    task, {'ipa-api-url': base.API_URL})
        self.assertEqual([mock.call(mock.ANY, boot_devices.UEFIHTTP,
                                    persistent=False),
                          mock.call(mock.ANY, boot_devices.PXE,
                                    persistent=False)],
                         set_device.call_args_list)


class ValidateTestCase(HttpBootTestCase):
    """Firmware that cannot boot over HTTP is refused, naming what can."""

    def _error(self, node):
        with self.acquire(node) as task:
            with self.assertRaises(exception.InvalidParameterValue) as ctx:
                task.driver.boot.validate(task)
        return str(ctx.exception)

    def test_x86_64_bios(self):
        msg = self._error(self.make_node('x86_64', 'bios', 'multiarch-http'))
        self.assertIn(UUID, msg)
        self.assertIn('x86_64', msg)
        self.assertIn('UEFI HTTP boot is not possible in boot mode bios: '
                      'its BIOS firmware has no HTTP boot', msg)
        self.assertIn('multiarch-pxe', msg)
        self.assertIn('capabilities boot_mode:uefi', msg)
        self.assertIn('openstack baremetal node set --boot-interface '
                      'multiarch-pxe %s' % UUID, msg)

    def test_x86_64_bios_http_ipxe(self):
        msg = self._error(self.make_node('x86_64', 'bios',
                                         'multiarch-http-ipxe'))
        self.assertIn('openstack baremetal node set --boot-interface '
                      'multiarch-ipxe %s' % UUID, msg)

    def test_ppc64le(self):
        for iface, instead in (('multiarch-http', 'multiarch-pxe'),
                               ('multiarch-http-ipxe', 'multiarch-ipxe')):
            node = self.make_node('ppc64le', 'uefi', iface)
            msg = self._error(node)
            node.destroy()
            self.assertIn('UEFI HTTP boot is not possible on ppc64le: its '
                          'OPAL petitboot firmware has no HTTP boot', msg)
            self.assertIn('openstack baremetal node set --boot-interface '
                          '%s %s' % (instead, UUID), msg)
            self.assertNotIn('boot_mode:', msg)

    def test_loader_missing_from_http_root(self):
        self.config(loader_paths={}, group='multiarch_aarch64')
        node = self.make_node('aarch64', 'uefi', 'multiarch-http')
        with self.acquire(node) as task:
            with self.assertRaises(exception.MissingParameterValue) as ctx:
                task.driver.boot.validate(task)
        self.assertIn('loader file grubaa64.efi is not in the HTTP root',
                      str(ctx.exception))


class HardwareTypeTestCase(HttpBootTestCase):

    def test_supported_boot_interfaces(self):
        for cls in (base.hardware.MultiarchIPMIHardware,
                    base.hardware.MultiarchRedfishHardware,
                    base.hardware.MultiarchManualManagementHardware):
            supported = cls().supported_boot_interfaces
            self.assertEqual([base.boot.MultiarchPXEBoot,
                              base.boot.MultiarchIPXEBoot,
                              base.boot.MultiarchHttpBoot,
                              base.boot.MultiarchHttpIPXEBoot],
                             supported[:4])

    def test_interfaces_extend_ironic_http_interfaces(self):
        from ironic.drivers.modules import ipxe
        from ironic.drivers.modules import pxe
        self.assertTrue(issubclass(base.boot.MultiarchHttpBoot, pxe.HttpBoot))
        self.assertTrue(issubclass(base.boot.MultiarchHttpIPXEBoot,
                                   ipxe.iPXEHttpBoot))
        self.assertTrue(base.boot.MultiarchHttpBoot.http_boot_enabled)
        self.assertFalse(base.boot.MultiarchHttpBoot.ipxe_enabled)
        self.assertTrue(base.boot.MultiarchHttpIPXEBoot.ipxe_enabled)
