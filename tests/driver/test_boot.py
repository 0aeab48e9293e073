"""multiarch-pxe / multiarch-ipxe against Ironic in-process (sqlite)."""

import os

from ironic.common import exception

from tests.driver import base

MAC = '52:54:00:12:34:56'
DASHES = '52-54-00-12-34-56'
UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'

#: (arch, boot mode, interface) -> (format, DHCP bootfile option, root,
#: links, console, text every config of that format must contain)
MATRIX = {
    ('x86_64', 'bios', 'multiarch-pxe'): (
        'pxelinux', ('67', 'multiarch/x86_64/pxelinux.0'), 'tftp',
        ['multiarch/x86_64/pxelinux.cfg/01-' + DASHES],
        'console=ttyS0,115200n8',
        'KERNEL ::/%s/deploy_kernel' % UUID),
    ('x86_64', 'bios', 'multiarch-ipxe'): (
        'ipxe', ('tag:!ipxe,67', 'multiarch/x86_64/undionly.kpxe'), 'http',
        ['pxelinux.cfg/' + DASHES], 'console=ttyS0,115200n8',
        'kernel --timeout 60000 http://192.0.2.1:8080/%s/deploy_kernel'
        % UUID),
    ('x86_64', 'uefi', 'multiarch-pxe'): (
        'grub', ('67', 'multiarch/x86_64/grubx64.efi'), 'tftp',
        ['grub.cfg-01-' + DASHES, MAC + '.conf'], 'console=ttyS0,115200n8',
        'linux /%s/deploy_kernel' % UUID),
    ('x86_64', 'uefi', 'multiarch-ipxe'): (
        'ipxe', ('tag:!ipxe,67', 'multiarch/x86_64/snponly.efi'), 'http',
        ['pxelinux.cfg/' + DASHES], 'console=ttyS0,115200n8',
        'initrd --name ramdisk --timeout 60000 '
        'http://192.0.2.1:8080/%s/deploy_ramdisk' % UUID),
    ('aarch64', 'uefi', 'multiarch-pxe'): (
        'grub', ('67', 'multiarch/aarch64/grubaa64.efi'), 'tftp',
        ['grub.cfg-01-' + DASHES, MAC + '.conf'], 'console=ttyAMA0,115200',
        'initrd /%s/deploy_ramdisk' % UUID),
    ('aarch64', 'uefi', 'multiarch-ipxe'): (
        'ipxe', ('tag:!ipxe,67', 'multiarch/aarch64/snponly.efi'), 'http',
        ['pxelinux.cfg/' + DASHES], 'console=ttyAMA0,115200',
        'BOOTIF=${mac}'),
    ('ppc64le', 'uefi', 'multiarch-pxe'): (
        'petitboot', ('209', 'tftp://192.0.2.1/%s/config' % UUID), 'tftp',
        ['pxelinux.cfg/01-' + DASHES], 'console=hvc0',
        'KERNEL tftp://192.0.2.1/%s/deploy_kernel' % UUID),
    ('ppc64le', 'bios', 'multiarch-pxe'): (
        'petitboot', ('210', 'tftp://192.0.2.1/'), 'tftp',
        ['pxelinux.cfg/01-' + DASHES], 'console=hvc0',
        'INITRD tftp://192.0.2.1/%s/deploy_ramdisk' % UUID),
    ('ppc64le', 'uefi', 'multiarch-ipxe'): (
        'petitboot', ('210', 'http://192.0.2.1:8080/'), 'http',
        ['pxelinux.cfg/01-' + DASHES], 'console=hvc0',
        'KERNEL http://192.0.2.1:8080/%s/deploy_kernel' % UUID),
}


class PrepareRamdiskTestCase(base.MultiarchDbTestCase):
    """Every architecture x boot mode x interface writes its plan."""

    def _roots(self):
        return {'tftp': self.tftp, 'http': self.http}

    def _check(self, arch, boot_mode, iface, mode='deploy'):
        fmt, (opt, value), root_name, links, console, snippet = MATRIX[
            (arch, boot_mode, iface)]
        root = self._roots()[root_name]
        node = self.make_node(arch, boot_mode, iface,
                              provision_state='cleaning' if mode == 'deploy'
                              else 'rescuing')
        with self.acquire(node) as task:
            task.driver.boot.validate(task)
            task.driver.boot.prepare_ramdisk(task,
                                             {'ipa-api-url': base.API_URL})
            expected = task.driver.boot.plan(task, mode,
                                             {'ipa-api-url': base.API_URL})
        self.assertEqual(fmt, expected.config_format)
        text = self.read(root, '%s/config' % UUID)
        self.assertEqual(expected.config_text, text)
        self.assertIn(snippet.replace('deploy_', mode + '_'), text)
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
        opts = self.opts_file(node)
        self.assertRegex(opts, r'tag:[0-9a-f-]+,%s,%s\n'
                         % (opt.replace('!', '!'), value.replace('.', r'\.')))
        if fmt == 'petitboot':
            self.assertNotRegex(opts, r',67,')
        for line in opts.splitlines():
            self.assertNotIn('x86_64' if arch != 'x86_64' else 'aarch64',
                             line)
        for item in expected.loader_files:
            self.assertTrue(os.path.isfile(os.path.join(self.tftp,
                                                        item.path)))
        with self.acquire(node) as task:
            task.driver.boot.clean_up_ramdisk(task)
        for root_dir in self._roots().values():
            self.assertFalse(os.path.exists(os.path.join(root_dir, UUID)))
            for name in links:
                self.assertFalse(os.path.lexists(os.path.join(root_dir,
                                                              name)))

    def test_rescue_uses_rescue_images(self):
        self._check('aarch64', 'uefi', 'multiarch-pxe', mode='rescue')


def _make_test(key):
    def test(self):
        self._check(*key)
    test.__doc__ = '%s %s %s boots its own loader and config.' % key
    return test


for _key in MATRIX:
    setattr(PrepareRamdiskTestCase,
            'test_%s_%s_%s' % (_key[0], _key[1], _key[2].replace('-', '_')),
            _make_test(_key))


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
        self.assertIn('aarch64 (aa64, arm64)', msg)

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
        # ... while the x86_64 node may use it.
        self.config(deploy_kernel=None, group='multiarch_x86_64')
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
        node = self.make_node('aarch64', driver_info={'deploy_kernel': kernel})
        with self.acquire(node) as task:
            plan = task.driver.boot.plan(task)
        self.assertEqual(kernel, plan.kernel.value)
        self.assertEqual('driver_info/deploy_kernel', plan.kernel.source)
        self.assertEqual('[multiarch_aarch64]deploy_ramdisk',
                         plan.ramdisk.source)


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
