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

"""multiarch-pxe / multiarch-ipxe against Ironic in-process (sqlite)."""

import os

from ironic.common import exception

from tests.driver import base

MAC = '52:54:00:12:34:56'
DASHES = '52-54-00-12-34-56'
UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'
REQUEST_ID = 'req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11'

#: (arch, boot mode, interface) -> (format, root, per-MAC links, console,
#: loader files in the TFTP root)
MATRIX = {
    ('x86_64', 'bios', 'multiarch-pxe'): (
        'pxelinux', 'tftp', ['multiarch/x86_64/pxelinux.cfg/01-' + DASHES],
        'console=ttyS0,115200n8',
        ['multiarch/x86_64/pxelinux.0', 'multiarch/x86_64/ldlinux.c32']),
    ('x86_64', 'bios', 'multiarch-ipxe'): (
        'ipxe', 'http', ['pxelinux.cfg/' + DASHES], 'console=ttyS0,115200n8',
        ['multiarch/x86_64/undionly.kpxe']),
    ('x86_64', 'uefi', 'multiarch-pxe'): (
        'grub', 'tftp', ['grub.cfg-01-' + DASHES, MAC + '.conf'],
        'console=ttyS0,115200n8', ['multiarch/x86_64/grubx64.efi']),
    ('x86_64', 'uefi', 'multiarch-ipxe'): (
        'ipxe', 'http', ['pxelinux.cfg/' + DASHES], 'console=ttyS0,115200n8',
        ['multiarch/x86_64/snponly.efi']),
    ('aarch64', 'uefi', 'multiarch-pxe'): (
        'grub', 'tftp', ['grub.cfg-01-' + DASHES, MAC + '.conf'],
        'console=ttyAMA0,115200', ['multiarch/aarch64/grubaa64.efi']),
    ('aarch64', 'uefi', 'multiarch-ipxe'): (
        'ipxe', 'http', ['pxelinux.cfg/' + DASHES], 'console=ttyAMA0,115200',
        ['multiarch/aarch64/snponly.efi']),
    ('ppc64le', 'uefi', 'multiarch-pxe'): (
        'petitboot', 'tftp', ['pxelinux.cfg/01-' + DASHES], 'console=hvc0',
        []),
    ('ppc64le', 'bios', 'multiarch-pxe'): (
        'petitboot', 'tftp', ['pxelinux.cfg/01-' + DASHES], 'console=hvc0',
        []),
    ('ppc64le', 'uefi', 'multiarch-ipxe'): (
        'petitboot', 'http', ['pxelinux.cfg/01-' + DASHES], 'console=hvc0',
        []),
}

# The complete config each case gets, as Ironic's templates write the
# deploy entry (its rescue entry is the same with the rescue images):
# "selinux=0 troubleshoot=0 text", then [pxe]kernel_append_params (here
# Ironic's default "nofb vga=normal"), the architecture's console,
# ipa-debug=1 ([DEFAULT]debug is on in Ironic's test configuration), the
# ramdisk parameters and ipa-global-request-id; GRUB then adds
# boot_server=[pxe]tftp_server. pxelinux and petitboot pass the booting
# NIC with IPAPPEND 2, iPXE with BOOTIF=${mac} before initrd=, GRUB with
# BOOTIF=${net_default_mac} (doc/parity.md). %(mode)s is deploy or
# rescue. [multiarch]menu_timeout is 0 in these tests.
PXELINUX_X86_64 = """\
DEFAULT %(mode)s
TIMEOUT 0

LABEL %(mode)s
    KERNEL ::/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/%(mode)s_kernel
    APPEND initrd=::/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/%(mode)s_ramdisk \
selinux=0 troubleshoot=0 text nofb vga=normal console=ttyS0,115200n8 \
ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11
    IPAPPEND 2
"""

IPXE_X86_64 = """\
#!ipxe

set attempts:int32 10
set i:int32 0

:%(mode)s
imgfree
kernel http://192.0.2.1:8080/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
%(mode)s_kernel selinux=0 troubleshoot=0 text nofb vga=normal \
console=ttyS0,115200n8 ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 \
BOOTIF=${mac} initrd=ramdisk || goto retry
initrd --name ramdisk http://192.0.2.1:8080/\
1be26c0b-03f2-4d2e-ae87-c02d7f33c123/%(mode)s_ramdisk || goto retry
boot

:retry
iseq ${i} ${attempts} && goto fail ||
inc i
echo No response, retrying in ${i} seconds.
sleep ${i}
goto %(mode)s

:fail
echo Failed to get a response after ${attempts} attempts
poweroff
"""

IPXE_AARCH64 = """\
#!ipxe

set attempts:int32 10
set i:int32 0

:%(mode)s
imgfree
kernel http://192.0.2.1:8080/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
%(mode)s_kernel selinux=0 troubleshoot=0 text nofb vga=normal \
console=ttyAMA0,115200 ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 \
BOOTIF=${mac} initrd=ramdisk || goto retry
initrd --name ramdisk http://192.0.2.1:8080/\
1be26c0b-03f2-4d2e-ae87-c02d7f33c123/%(mode)s_ramdisk || goto retry
boot

:retry
iseq ${i} ${attempts} && goto fail ||
inc i
echo No response, retrying in ${i} seconds.
sleep ${i}
goto %(mode)s

:fail
echo Failed to get a response after ${attempts} attempts
poweroff
"""

GRUB_X86_64 = """\
set default=%(mode)s
set timeout=0
set hidden_timeout_quiet=false

menuentry "%(mode)s" {
    linux /1be26c0b-03f2-4d2e-ae87-c02d7f33c123/%(mode)s_kernel selinux=0 \
troubleshoot=0 text nofb vga=normal console=ttyS0,115200n8 ipa-debug=1 \
ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 \
boot_server=192.0.2.1 BOOTIF=${net_default_mac}
    initrd /1be26c0b-03f2-4d2e-ae87-c02d7f33c123/%(mode)s_ramdisk
}
"""

GRUB_AARCH64 = """\
set default=%(mode)s
set timeout=0
set hidden_timeout_quiet=false

menuentry "%(mode)s" {
    linux /1be26c0b-03f2-4d2e-ae87-c02d7f33c123/%(mode)s_kernel selinux=0 \
troubleshoot=0 text nofb vga=normal console=ttyAMA0,115200 ipa-debug=1 \
ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 \
boot_server=192.0.2.1 BOOTIF=${net_default_mac}
    initrd /1be26c0b-03f2-4d2e-ae87-c02d7f33c123/%(mode)s_ramdisk
}
"""

PETITBOOT_TFTP = """\
DEFAULT %(mode)s

LABEL %(mode)s
    KERNEL tftp://192.0.2.1/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
%(mode)s_kernel
    INITRD tftp://192.0.2.1/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
%(mode)s_ramdisk
    APPEND selinux=0 troubleshoot=0 text nofb vga=normal console=hvc0 \
ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11
    IPAPPEND 2
"""

PETITBOOT_HTTP = """\
DEFAULT %(mode)s

LABEL %(mode)s
    KERNEL http://192.0.2.1:8080/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
%(mode)s_kernel
    INITRD http://192.0.2.1:8080/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/\
%(mode)s_ramdisk
    APPEND selinux=0 troubleshoot=0 text nofb vga=normal console=hvc0 \
ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 \
ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11
    IPAPPEND 2
"""

CONFIGS = {
    ('x86_64', 'bios', 'multiarch-pxe'): PXELINUX_X86_64,
    ('x86_64', 'bios', 'multiarch-ipxe'): IPXE_X86_64,
    ('x86_64', 'uefi', 'multiarch-pxe'): GRUB_X86_64,
    ('x86_64', 'uefi', 'multiarch-ipxe'): IPXE_X86_64,
    ('aarch64', 'uefi', 'multiarch-pxe'): GRUB_AARCH64,
    ('aarch64', 'uefi', 'multiarch-ipxe'): IPXE_AARCH64,
    ('ppc64le', 'uefi', 'multiarch-pxe'): PETITBOOT_TFTP,
    ('ppc64le', 'bios', 'multiarch-pxe'): PETITBOOT_TFTP,
    ('ppc64le', 'uefi', 'multiarch-ipxe'): PETITBOOT_HTTP,
}

# The dnsmasq option file Ironic's provider writes from the options
# (tag:<the node's dnsmasq tag>,<name>,<value>, IPv4 then IPv6, as
# Ironic's pxe/ipxe interfaces send them): the loader in option 67 (iPXE:
# tag:!ipxe,67 and Ironic's boot.ipxe for tag:ipxe,67), the TFTP server
# in 66, 150 and 255, and its URL in option 59 (tag:!ipxe6,59 and
# tag:ipxe6,59). petitboot gets its config's URL in 209 (and 59) and the
# root's in 210, and the TFTP server only when it reads from TFTP.
# %(tag)s is the node's dnsmasq tag.
OPTS = {
    ('x86_64', 'bios', 'multiarch-pxe'): """\
tag:%(tag)s,67,multiarch/x86_64/pxelinux.0
tag:%(tag)s,66,192.0.2.1
tag:%(tag)s,150,192.0.2.1
tag:%(tag)s,255,192.0.2.1
tag:%(tag)s,59,tftp://192.0.2.1/multiarch/x86_64/pxelinux.0
""",
    ('x86_64', 'bios', 'multiarch-ipxe'): """\
tag:%(tag)s,tag:!ipxe,67,multiarch/x86_64/undionly.kpxe
tag:%(tag)s,tag:ipxe,67,http://192.0.2.1:8080/boot.ipxe
tag:%(tag)s,66,192.0.2.1
tag:%(tag)s,150,192.0.2.1
tag:%(tag)s,255,192.0.2.1
tag:%(tag)s,tag:!ipxe6,59,tftp://192.0.2.1/multiarch/x86_64/undionly.kpxe
tag:%(tag)s,tag:ipxe6,59,http://192.0.2.1:8080/boot.ipxe
""",
    ('x86_64', 'uefi', 'multiarch-pxe'): """\
tag:%(tag)s,67,multiarch/x86_64/grubx64.efi
tag:%(tag)s,66,192.0.2.1
tag:%(tag)s,150,192.0.2.1
tag:%(tag)s,255,192.0.2.1
tag:%(tag)s,59,tftp://192.0.2.1/multiarch/x86_64/grubx64.efi
""",
    ('x86_64', 'uefi', 'multiarch-ipxe'): """\
tag:%(tag)s,tag:!ipxe,67,multiarch/x86_64/snponly.efi
tag:%(tag)s,tag:ipxe,67,http://192.0.2.1:8080/boot.ipxe
tag:%(tag)s,66,192.0.2.1
tag:%(tag)s,150,192.0.2.1
tag:%(tag)s,255,192.0.2.1
tag:%(tag)s,tag:!ipxe6,59,tftp://192.0.2.1/multiarch/x86_64/snponly.efi
tag:%(tag)s,tag:ipxe6,59,http://192.0.2.1:8080/boot.ipxe
""",
    ('aarch64', 'uefi', 'multiarch-pxe'): """\
tag:%(tag)s,67,multiarch/aarch64/grubaa64.efi
tag:%(tag)s,66,192.0.2.1
tag:%(tag)s,150,192.0.2.1
tag:%(tag)s,255,192.0.2.1
tag:%(tag)s,59,tftp://192.0.2.1/multiarch/aarch64/grubaa64.efi
""",
    ('aarch64', 'uefi', 'multiarch-ipxe'): """\
tag:%(tag)s,tag:!ipxe,67,multiarch/aarch64/snponly.efi
tag:%(tag)s,tag:ipxe,67,http://192.0.2.1:8080/boot.ipxe
tag:%(tag)s,66,192.0.2.1
tag:%(tag)s,150,192.0.2.1
tag:%(tag)s,255,192.0.2.1
tag:%(tag)s,tag:!ipxe6,59,tftp://192.0.2.1/multiarch/aarch64/snponly.efi
tag:%(tag)s,tag:ipxe6,59,http://192.0.2.1:8080/boot.ipxe
""",
    ('ppc64le', 'uefi', 'multiarch-pxe'): """\
tag:%(tag)s,209,tftp://192.0.2.1/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/config
tag:%(tag)s,210,tftp://192.0.2.1/
tag:%(tag)s,66,192.0.2.1
tag:%(tag)s,150,192.0.2.1
tag:%(tag)s,255,192.0.2.1
tag:%(tag)s,59,tftp://192.0.2.1/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/config
""",
    ('ppc64le', 'uefi', 'multiarch-ipxe'): """\
tag:%(tag)s,209,\
http://192.0.2.1:8080/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/config
tag:%(tag)s,210,http://192.0.2.1:8080/
tag:%(tag)s,59,\
http://192.0.2.1:8080/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/config
""",
}
OPTS[('ppc64le', 'bios', 'multiarch-pxe')] = OPTS[
    ('ppc64le', 'uefi', 'multiarch-pxe')]


class PrepareRamdiskTestCase(base.MultiarchDbTestCase):
    """Every architecture x boot mode x interface writes its plan."""

    def setUp(self):
        super().setUp()
        # The request's global id reaches the ramdisk as
        # ipa-global-request-id; fixed here so the configs are literal.
        self.context.global_request_id = REQUEST_ID

    def _roots(self):
        return {'tftp': self.tftp, 'http': self.http}

    def _check(self, arch, boot_mode, iface, mode='deploy'):
        fmt, root_name, links, console, loader_files = MATRIX[
            (arch, boot_mode, iface)]
        root = self._roots()[root_name]
        node = self.make_node(arch, boot_mode, iface,
                              provision_state='cleaning' if mode == 'deploy'
                              else 'rescuing')
        with self.acquire(node) as task:
            task.driver.boot.validate(task)
            task.driver.boot.prepare_ramdisk(task,
                                             {'ipa-api-url': base.API_URL})
        text = self.read(root, '%s/config' % UUID)
        self.assertEqual(CONFIGS[(arch, boot_mode, iface)] % {'mode': mode},
                         text)
        self.assertIn(console, text)
        self.assertIn('ipa-api-url=%s' % base.API_URL, text)
        self.assertNotIn('linuxefi', text)
        for other in ('ttyS0', 'ttyAMA0', 'hvc0'):
            if other not in console:
                self.assertNotIn(other, text)
        for name in links:
            self.assertEqual(os.path.join(root, UUID, 'config'),
                             os.path.realpath(os.path.join(root, name)))
            self.assertFalse(os.path.isabs(os.readlink(
                os.path.join(root, name))))
        image_root = root
        for role in ('kernel', 'ramdisk'):
            self.assertEqual('%s %s_%s\n' % (arch, mode, role),
                             self.read(image_root,
                                       '%s/%s_%s' % (UUID, mode, role)))
        node.refresh()
        opts = self.opts_file(node)
        self.assertEqual(OPTS[(arch, boot_mode, iface)] % {
            'tag': node.driver_internal_info['dnsmasq_tag']}, opts)
        if fmt == 'petitboot':
            self.assertNotRegex(opts, r',67,')
        for line in opts.splitlines():
            self.assertNotIn('x86_64' if arch != 'x86_64' else 'aarch64',
                             line)
        for path in loader_files:
            self.assertTrue(os.path.isfile(os.path.join(self.tftp, path)))
        with self.acquire(node) as task:
            task.driver.boot.clean_up_ramdisk(task)
        for root_dir in self._roots().values():
            self.assertFalse(os.path.exists(os.path.join(root_dir, UUID)))
            for name in links:
                self.assertFalse(os.path.lexists(os.path.join(root_dir,
                                                              name)))


def _make_test(key, mode):
    def test(self):
        self._check(*key, mode=mode)
    test.__doc__ = '%s %s %s boots its own loader and %s config.' % (
        key + (mode,))
    return test


for _key in MATRIX:
    for _mode in ('deploy', 'rescue'):
        setattr(PrepareRamdiskTestCase,
                'test_%s_%s_%s_%s' % (_key[0], _key[1],
                                      _key[2].replace('-', '_'), _mode),
                _make_test(_key, _mode))


class ValidateTestCase(base.MultiarchDbTestCase):
    """validate names the node, the architecture, the option, an example."""

    def _error(self, node, exc_class):
        with self.acquire(node) as task:
            with self.assertRaises(exc_class) as ctx:
                task.driver.boot.validate(task)
        return str(ctx.exception)

    def test_no_cpu_arch(self):
        msg = self._error(self.make_node(None),
                          exception.MissingParameterValue)
        self.assertIn(UUID, msg)
        self.assertIn('cpu_arch', msg)
        self.assertIn('openstack baremetal node set --property '
                      'cpu_arch=aarch64', msg)

    def test_no_cpu_arch_with_default_arch(self):
        self.config(default_arch='aarch64', group='multiarch')
        node = self.make_node(None)
        with self.acquire(node) as task:
            task.driver.boot.validate(task)
            plan = task.driver.boot.plan(task)
        self.assertEqual('aarch64', plan.arch)

    def test_unknown_arch(self):
        msg = self._error(self.make_node('sparc64'),
                          exception.InvalidParameterValue)
        self.assertIn('sparc64', msg)
        self.assertIn('aarch64 (aa64, arm-a64, arm64)', msg)

    def test_aarch64_bios_is_impossible(self):
        msg = self._error(self.make_node('arm64', 'bios'),
                          exception.InvalidParameterValue)
        self.assertIn('cpu_arch arm64', msg.replace('aarch64', 'arm64'))
        self.assertIn('boot mode bios is not possible on aarch64', msg)
        self.assertIn('capabilities=boot_mode:uefi', msg)

    def test_no_images_for_this_arch(self):
        self.config(deploy_kernel=None, group='multiarch_aarch64')
        msg = self._error(self.make_node('aarch64'),
                          exception.MissingParameterValue)
        self.assertIn('[multiarch_aarch64]deploy_kernel', msg)
        self.assertIn('http://images.example.com/ipa-aarch64.kernel', msg)

    def test_global_kernel_never_serves_another_arch(self):
        self.config(deploy_kernel=None, group='multiarch_aarch64')
        self.config(deploy_kernel='file:///x86/only/kernel',
                    group='conductor')
        msg = self._error(self.make_node('aarch64'),
                          exception.MissingParameterValue)
        self.assertIn('no deploy_kernel is set for this architecture', msg)
        # ... while the x86_64 node may use it, once x86_64 claims
        # Ironic's global options (and takes its ramdisk from there too).
        self.config(global_options_arch='x86_64', group='multiarch')
        self.config(deploy_ramdisk='file:///x86/only/ramdisk',
                    group='conductor')
        self.config(deploy_kernel=None, deploy_ramdisk=None,
                    group='multiarch_x86_64')
        node = self.make_node('x86_64', uuid='2be26c0b-03f2-4d2e-ae87-'
                              'c02d7f33c123', mac='52:54:00:12:34:57',
                              port_uuid='d1ed3e0a-9e52-4b2a-8f3e-0c1a2b3c4d5e')
        with self.acquire(node) as task:
            plan = task.driver.boot.plan(task)
        self.assertEqual('file:///x86/only/kernel', plan.kernel.value)
        self.assertEqual('[conductor]deploy_kernel', plan.kernel.source)

    def test_loader_missing_from_root(self):
        self.config(loader_paths={}, group='multiarch_aarch64')
        msg = self._error(self.make_node('aarch64'),
                          exception.MissingParameterValue)
        self.assertIn('grubaa64.efi', msg)
        self.assertIn('[multiarch_aarch64]loader_paths', msg)

    def test_unsafe_kernel_params(self):
        msg = self._error(
            self.make_node('x86_64', driver_info={
                'kernel_append_params': 'quiet\nmenuentry x {'}),
            exception.InvalidParameterValue)
        self.assertIn('driver_info/kernel_append_params', msg)

    def test_no_port(self):
        node = self.make_node('x86_64')
        with self.acquire(node) as task:
            for port in task.ports:
                port.destroy()
        with self.acquire(node) as task:
            self.assertRaises(exception.MissingParameterValue,
                              task.driver.boot.validate, task)

    def test_node_driver_info_wins(self):
        kernel = self.image('aarch64', 'custom_kernel')
        ramdisk = self.image('aarch64', 'custom_ramdisk')
        node = self.make_node('aarch64', driver_info={
            'deploy_kernel': kernel, 'deploy_ramdisk': ramdisk})
        with self.acquire(node) as task:
            plan = task.driver.boot.plan(task)
        self.assertEqual(kernel, plan.kernel.value)
        self.assertEqual('driver_info/deploy_kernel', plan.kernel.source)
        self.assertEqual('driver_info/deploy_ramdisk', plan.ramdisk.source)


class HardwareTypeTestCase(base.MultiarchDbTestCase):
    """The multiarch hardware types accept both multiarch interfaces."""

    def test_supported_boot_interfaces(self):
        from ironic.drivers.modules import pxe
        for cls in (base.hardware.MultiarchIPMIHardware,
                    base.hardware.MultiarchRedfishHardware,
                    base.hardware.MultiarchManualManagementHardware):
            supported = cls().supported_boot_interfaces
            self.assertEqual([base.boot.MultiarchPXEBoot,
                              base.boot.MultiarchIPXEBoot], supported[:2])
            self.assertIn(pxe.PXEBoot, supported)

    def test_default_boot_interface_is_multiarch(self):
        node = self.make_node('aarch64', boot_interface=None)
        with self.acquire(node) as task:
            self.assertIsInstance(task.driver.boot,
                                  base.boot.MultiarchPXEBoot)
