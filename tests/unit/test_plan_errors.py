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

"""Every way :func:`~ironic_multiarch.plan.plan` refuses a node.

Each message names the node, the architecture, the option to set and an
example value.
"""

import pytest

from ironic_multiarch import exception
from ironic_multiarch import plan
from tests.unit import fakes

NODE = 'node-1'
SET_ARCH = 'openstack baremetal node set --property cpu_arch=%s node-1'


def _fails(error, settings=None, **facts):
    facts.setdefault('name', NODE)
    with pytest.raises(error) as exc:
        fakes.make_plan(settings, **facts)
    return exc.value


@pytest.mark.parametrize('cpu_arch', ['riscv64', 'x86 64', 'arm/64',
                                      'aarch64\n', 'sparc'])
def test_unknown_or_malformed_arch(cpu_arch):
    exc = _fails(exception.InvalidSetting, cpu_arch=cpu_arch)
    fakes.assert_names(exc, 'Node node-1 (cpu_arch %s)' % cpu_arch,
                       "Set the node's cpu_arch property",
                       '[multiarch]enabled_architectures',
                       'for example ' + SET_ARCH % 'x86_64',
                       'accepted: aarch64 (aa64, arm-a64, arm64)')
    assert not exc.missing


def test_disabled_arch():
    settings = fakes.make_settings(enabled=('x86_64', 'ppc64le'))
    exc = _fails(exception.InvalidSetting, settings, cpu_arch='arm64')
    fakes.assert_names(exc, 'Node node-1 (cpu_arch arm64)',
                       "'arm64' is not an enabled CPU architecture",
                       'enable the architecture in '
                       '[multiarch]enabled_architectures',
                       'for example ' + SET_ARCH % 'x86_64')
    assert 'aarch64' not in str(exc).split('accepted:')[1]


def test_alias_to_disabled_arch_in_settings():
    settings = fakes.make_settings(enabled=('x86_64',),
                                   aliases={'armv8': 'aarch64'})
    _fails(exception.InvalidSetting, settings, cpu_arch='armv8')


@pytest.mark.parametrize('cpu_arch', [None, ''])
def test_no_arch_and_no_default(cpu_arch):
    exc = _fails(exception.MissingSetting, cpu_arch=cpu_arch)
    fakes.assert_names(exc, 'Node node-1:', 'no cpu_arch property',
                       "Set the node's cpu_arch property (or "
                       '[multiarch]default_arch)',
                       'for example ' + SET_ARCH % 'aarch64')
    assert exc.missing


def test_bios_on_aarch64():
    exc = _fails(exception.InvalidSetting, cpu_arch='aarch64',
                 boot_mode='bios')
    fakes.assert_names(exc, 'Node node-1 (cpu_arch aarch64)',
                       'boot mode bios is not possible on aarch64, which '
                       'boots in: uefi', 'Set capabilities boot_mode',
                       'for example openstack baremetal node set --property '
                       'capabilities=boot_mode:uefi node-1')


@pytest.mark.parametrize('arch', ['x86_64', 'aarch64', 'ppc64le'])
@pytest.mark.parametrize('boot_mode', ['legacy', 'UEFI', 'bios\n'])
def test_bad_boot_mode(arch, boot_mode):
    exc = _fails(exception.InvalidSetting, cpu_arch=arch,
                 boot_mode=boot_mode)
    fakes.assert_names(exc, 'Node node-1 (cpu_arch %s)' % arch,
                       'is not one of uefi, bios',
                       'Set capabilities boot_mode',
                       'capabilities=boot_mode:uefi node-1')


def test_unknown_loader_in_settings():
    settings = fakes.make_settings(arch={'aarch64': {
        'loaders': {'uefi': 'pxelinux'}}})
    exc = _fails(exception.InvalidSetting, settings, cpu_arch='aarch64')
    fakes.assert_names(exc, 'Node node-1 (cpu_arch aarch64)',
                       "loader 'pxelinux' cannot boot its uefi firmware",
                       'choose one of grub, shim',
                       'Set [multiarch_aarch64]loaders',
                       'for example uefi:grub')


@pytest.mark.parametrize('mac', ['52-54-00-12-34-56', '52:54:00:12:34',
                                 '52:54:00:12:34:56\n', 'zz:54:00:12:34:56'])
def test_bad_mac(mac):
    exc = _fails(exception.UnsafeValue, cpu_arch='aarch64',
                 ports=(plan.Port(mac),))
    fakes.assert_names(exc, 'Node node-1 (cpu_arch aarch64)', 'MAC address',
                       'Set the port address', 'for example 52:54:00:12:34:56')


def test_bad_client_id():
    exc = _fails(exception.UnsafeValue, cpu_arch='ppc64le',
                 ports=(plan.Port(fakes.MAC, 'ff:00\nx'),))
    fakes.assert_names(exc, 'Node node-1 (cpu_arch ppc64le)',
                       "the port's extra client-id")


@pytest.mark.parametrize('uuid', ['node-1', fakes.UUID + 'x',
                                  '../etc/passwd', fakes.UUID + '\n'])
def test_bad_uuid(uuid):
    with pytest.raises(exception.UnsafeValue) as exc:
        fakes.make_plan(uuid=uuid, cpu_arch='aarch64')
    fakes.assert_names(exc.value, 'Node %s (cpu_arch aarch64)' % uuid,
                       'node UUID', 'Set the node UUID',
                       'for example 1be26c0b-03f2-4d2e-ae87-c02d7f33c123')


def test_bad_mode():
    exc = _fails(exception.InvalidSetting, mode='inspect')
    fakes.assert_names(exc, 'Node node-1', "mode 'inspect' is not one of "
                       'deploy, rescue, instance')


UNSAFE_ARGS = ['quiet\nmenuentry x', 'a="b c"', "a='b'", 'a;reboot',
               'a{b', 'a}', 'x=$root', 'x=${prefix}', 'a\\nb', 'a\x00',
               'a\x1b[2J', 'a\rb', 'a\tb']


@pytest.mark.parametrize('value', UNSAFE_ARGS)
def test_unsafe_node_kernel_params(value):
    exc = _fails(exception.UnsafeValue, cpu_arch='aarch64',
                 driver_info={'kernel_append_params': value})
    fakes.assert_names(exc, 'Node node-1 (cpu_arch aarch64)',
                       'Set driver_info/kernel_append_params',
                       'for example "console=ttyS0,115200n8 nofb"')


@pytest.mark.parametrize('field,source', [
    ('kernel_append_params', '[multiarch_ppc64le]kernel_append_params'),
    ('console', '[multiarch_ppc64le]console')])
@pytest.mark.parametrize('value', UNSAFE_ARGS[:6])
def test_unsafe_group_kernel_params_and_console(field, source, value):
    settings = fakes.make_settings(arch={'ppc64le': {field: value}})
    exc = _fails(exception.UnsafeValue, settings, cpu_arch='ppc64le')
    fakes.assert_names(exc, 'Node node-1 (cpu_arch ppc64le)',
                       'Set %s' % source, 'for example')


def test_unsafe_extra_kernel_params():
    exc = _fails(exception.UnsafeValue, extra_kernel_params=('a;b',))
    fakes.assert_names(exc, 'Node node-1 (cpu_arch x86_64)',
                       'Set the conductor settings')


@pytest.mark.parametrize('value', ['http://x/a b', 'http://x/"', 'http://x/\n',
                                   'http://x/${net_default_mac}',
                                   'http://x/{}', 'http://x/a\\b'])
@pytest.mark.parametrize('role,mode', [('deploy_kernel', 'deploy'),
                                       ('rescue_ramdisk', 'rescue')])
def test_unsafe_href(value, role, mode):
    exc = _fails(exception.UnsafeValue, cpu_arch='aarch64', mode=mode,
                 driver_info={role: value})
    fakes.assert_names(exc, 'Node node-1 (cpu_arch aarch64)',
                       'image reference', 'Set driver_info/%s' % role,
                       'for example http://images.example.com/ipa-aarch64')
    settings = fakes.make_settings(arch={'aarch64': {'images': {role: value}}})
    exc = _fails(exception.UnsafeValue, settings, cpu_arch='aarch64',
                 mode=mode)
    fakes.assert_names(exc, 'Set [multiarch_aarch64]%s' % role)


@pytest.mark.parametrize('boot_mode', ['uefi', 'bios'])
def test_petitboot_needs_tftp_server(boot_mode):
    settings = fakes.make_settings(tftp_server=None)
    exc = _fails(exception.MissingSetting, settings, cpu_arch='ppc64le',
                 boot_mode=boot_mode)
    fakes.assert_names(exc, 'Node node-1 (cpu_arch ppc64le)',
                       'no TFTP server is configured',
                       'Set [pxe]tftp_server', 'for example 192.0.2.10')


@pytest.mark.parametrize('arch,boot_mode', [('x86_64', 'uefi'),
                                            ('x86_64', 'bios'),
                                            ('aarch64', 'uefi')])
def test_pxe_needs_tftp_server(arch, boot_mode):
    settings = fakes.make_settings(tftp_server='')
    exc = _fails(exception.MissingSetting, settings, cpu_arch=arch,
                 boot_mode=boot_mode)
    fakes.assert_names(exc, '(cpu_arch %s)' % arch, 'Set [pxe]tftp_server')


def test_unsafe_tftp_server():
    settings = fakes.make_settings(tftp_server='192.0.2.10\nDEFAULT x')
    exc = _fails(exception.UnsafeValue, settings, cpu_arch='ppc64le')
    fakes.assert_names(exc, 'Node node-1 (cpu_arch ppc64le)',
                       'server address', 'Set [pxe]tftp_server',
                       'for example 192.0.2.10')


@pytest.mark.parametrize('arch,boot_mode', [
    ('x86_64', 'uefi'), ('x86_64', 'bios'), ('aarch64', 'uefi'),
    ('ppc64le', 'bios')])
def test_ipxe_needs_http_url(arch, boot_mode):
    settings = fakes.make_settings(http_url=None)
    exc = _fails(exception.MissingSetting, settings, cpu_arch=arch,
                 boot_mode=boot_mode, ipxe=True)
    fakes.assert_names(exc, 'Node node-1 (cpu_arch %s)' % arch,
                       'served over HTTP but no HTTP URL',
                       'Set [deploy]http_url',
                       'for example http://192.0.2.10:8080')


def test_grub_http_needs_http_url():
    settings = fakes.make_settings(http_url=None, grub_http=True)
    _fails(exception.MissingSetting, settings, cpu_arch='aarch64')


def test_unsafe_http_url():
    settings = fakes.make_settings(http_url='http://h/a b')
    exc = _fails(exception.UnsafeValue, settings, cpu_arch='aarch64',
                 ipxe=True)
    fakes.assert_names(exc, 'Node node-1 (cpu_arch aarch64)',
                       'Set [deploy]http_url')


@pytest.mark.parametrize('name', ['../../etc/passwd', '/etc/passwd',
                                  'a/../../b', '..', '.grub', 'a b.efi',
                                  'grubaa64.efi\n'])
def test_path_traversal_in_loader_name(name):
    settings = fakes.make_settings(ironic={'by_arch': {
        '[pxe]pxe_bootfile_name_by_arch': {'aarch64': name}}})
    exc = _fails(exception.UnsafeValue, settings, cpu_arch='aarch64')
    fakes.assert_names(exc, 'Node node-1 (cpu_arch aarch64)', 'file name',
                       'Set [pxe]pxe_bootfile_name_by_arch[aarch64]',
                       'for example grubaa64.efi')


def test_unsafe_loader_dir():
    settings = fakes.make_settings(loader_dir='../outside')
    with pytest.raises(exception.UnsafeValue) as exc:
        fakes.make_plan(settings)
    fakes.assert_names(exc.value, 'leaves its root')


def test_error_classes():
    assert issubclass(exception.UnsafeValue, exception.InvalidSetting)
    assert issubclass(exception.MissingSetting, exception.PlanError)
    assert exception.MissingSetting('x').missing
    assert not exception.InvalidSetting('x').missing
    assert str(exception.PlanError('it broke')) == (
        'Node (unknown): it broke.')
    assert str(exception.PlanError('p', 'n', 'a', 'o', '')) == (
        'Node n (cpu_arch a): p. Set o, for example .')
