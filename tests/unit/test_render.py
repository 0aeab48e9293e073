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

"""Exact rendered text of each config format, and the renderer itself."""

import pytest

from ironic_multiarch import exception
from ironic_multiarch import render
from tests.unit import fakes

U = fakes.UUID

GRUB_AARCH64 = """\
set default=deploy
set timeout=5
set hidden_timeout_quiet=false

menuentry "deploy" {
    linux /%(u)s/deploy_kernel selinux=0 troubleshoot=0 text \
console=ttyAMA0,115200 %(api)s boot_server=192.0.2.10 \
BOOTIF=${net_default_mac}
    initrd /%(u)s/deploy_ramdisk
}
""" % {'u': U, 'api': fakes.API}

GRUB_X86_RESCUE_HTTP = """\
set default=rescue
set timeout=0
set hidden_timeout_quiet=false

menuentry "rescue" {
    linux (http,192.0.2.10:8080)/boot/%(u)s/rescue_kernel selinux=0 \
troubleshoot=0 text nofb console=ttyS0,115200n8 boot_server=192.0.2.10 \
BOOTIF=${net_default_mac}
    initrd (http,192.0.2.10:8080)/boot/%(u)s/rescue_ramdisk
}
""" % {'u': U}

PXELINUX_X86 = """\
DEFAULT deploy
TIMEOUT 50

LABEL deploy
    KERNEL ::/%(u)s/deploy_kernel
    APPEND initrd=::/%(u)s/deploy_ramdisk selinux=0 troubleshoot=0 text \
nofb vga=normal console=ttyS0,115200n8 %(api)s
    IPAPPEND 2
""" % {'u': U, 'api': fakes.API}

PETITBOOT_PPC = """\
DEFAULT deploy

LABEL deploy
    KERNEL tftp://192.0.2.10/%(u)s/deploy_kernel
    INITRD tftp://192.0.2.10/%(u)s/deploy_ramdisk
    APPEND selinux=0 troubleshoot=0 text console=hvc0 %(api)s
    IPAPPEND 2
""" % {'u': U, 'api': fakes.API}

PETITBOOT_PPC_IPXE = PETITBOOT_PPC.replace(
    'tftp://192.0.2.10/', 'http://192.0.2.10:8080/')

IPXE_AARCH64 = """\
#!ipxe

set attempts:int32 10
set i:int32 0

:deploy
imgfree
kernel http://192.0.2.10:8080/%(u)s/deploy_kernel \
selinux=0 troubleshoot=0 text console=ttyAMA0,115200 %(api)s BOOTIF=${mac} \
initrd=ramdisk || goto retry
initrd --name ramdisk \
http://192.0.2.10:8080/%(u)s/deploy_ramdisk || goto retry
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
""" % {'u': U, 'api': fakes.API}


def test_grub_aarch64():
    result = fakes.make_plan(cpu_arch='aarch64')
    assert result.config_text == GRUB_AARCH64


def test_grub_x86_64_rescue_over_http():
    settings = fakes.make_settings(
        grub_http=True, menu_timeout=0,
        http_url='http://192.0.2.10:8080/boot/',
        arch={'x86_64': {'kernel_append_params': 'nofb'}})
    result = fakes.make_plan(settings, mode='rescue', extra_kernel_params=())
    assert result.config_text == GRUB_X86_RESCUE_HTTP


def test_pxelinux_x86_64_bios():
    settings = fakes.make_settings(ironic={'globals': {
        '[pxe]kernel_append_params': 'nofb vga=normal'}})
    result = fakes.make_plan(settings, boot_mode='bios')
    assert result.config_text == PXELINUX_X86


@pytest.mark.parametrize('boot_mode', ['uefi', 'bios'])
def test_petitboot_ppc64le(boot_mode):
    result = fakes.make_plan(cpu_arch='ppc64le', boot_mode=boot_mode)
    assert result.config_text == PETITBOOT_PPC


def test_petitboot_ppc64le_ipxe_interface():
    result = fakes.make_plan(cpu_arch='ppc64le', ipxe=True)
    assert result.config_text == PETITBOOT_PPC_IPXE


def test_ipxe_aarch64():
    result = fakes.make_plan(cpu_arch='aarch64', ipxe=True)
    assert result.config_text == IPXE_AARCH64


def test_ipxe_x86_64_bios_same_script():
    result = fakes.make_plan(boot_mode='bios', ipxe=True)
    assert result.config_text == IPXE_AARCH64.replace(
        'console=ttyAMA0,115200', 'console=ttyS0,115200n8')


@pytest.mark.parametrize('arch', ['x86_64', 'aarch64'])
@pytest.mark.parametrize('loader', ['grub', 'shim'])
def test_grub_never_uses_linuxefi(arch, loader):
    settings = fakes.make_settings(arch={arch: {'loaders': {'uefi': loader}}})
    text = fakes.make_plan(settings, cpu_arch=arch).config_text
    assert 'linuxefi' not in text and 'initrdefi' not in text
    assert '    linux /' in text and '    initrd /' in text


def test_petitboot_rules():
    """DEFAULT before LABEL, KERNEL not LINUX, no leading quote or '/'."""
    lines = fakes.make_plan(cpu_arch='ppc64le').config_text.splitlines()
    assert lines[0].startswith('DEFAULT ')
    assert lines.index('DEFAULT deploy') < lines.index('LABEL deploy')
    words = [line.split(None, 1) for line in lines if line.strip()]
    keys = [w[0] for w in words]
    assert 'KERNEL' in keys and 'LINUX' not in keys
    assert not {'MENU', 'TIMEOUT', 'COM32', 'LOCALBOOT'} & set(keys)
    for key, value in words:
        assert not value.startswith(('"', "'", '/')), (key, value)


def test_instance_label():
    result = fakes.make_plan(mode='instance', boot_mode='bios',
                             instance_info={'kernel': 'http://k',
                                            'ramdisk': 'http://r'})
    assert result.config_text.startswith('DEFAULT boot\n')
    assert 'KERNEL ::/%s/kernel\n' % U in result.config_text


@pytest.mark.parametrize('name,with_bootif,without', [
    ('grub.cfg.j2', '    linux K a=1 BOOTIF=${net_default_mac}\n',
     '    linux K a=1\n'),
    ('pxelinux.cfg.j2', '    APPEND initrd=R a=1\n    IPAPPEND 2\n',
     '    APPEND initrd=R a=1\n'),
    ('petitboot.cfg.j2', '    APPEND a=1\n    IPAPPEND 2\n',
     '    APPEND a=1\n'),
    ('ipxe.j2', 'kernel K a=1 BOOTIF=${mac} initrd=ramdisk || goto retry\n',
     'kernel K a=1 initrd=ramdisk || goto retry\n'),
])
def test_bootif_only_when_asked(name, with_bootif, without):
    values = dict(label='deploy', kernel='K', ramdisk='R',
                  kernel_params='a=1', timeout=0)
    text = render.render(render.builtin(name), name, bootif=True, **values)
    assert with_bootif in text
    text = render.render(render.builtin(name), name, bootif=False, **values)
    assert without in text
    assert 'BOOTIF' not in text and 'IPAPPEND' not in text


def test_render_adds_final_newline():
    assert render.render('{{ label }}', 'grub', label='x') == 'x\n'
    assert render.render('{{ label }}\n', 'grub', label='x') == 'x\n'


def test_render_undefined_variable_is_config_error():
    with pytest.raises(exception.ConfigError) as exc:
        render.render('{{ nope }}', 'petitboot', label='x')
    assert 'Cannot render the petitboot template' in str(exc.value)
    with pytest.raises(exception.ConfigError):
        render.render('{% if %}', 'grub')


def test_template_for():
    settings = fakes.make_settings(arch={'aarch64': {
        'templates': {'ipxe': 'T'}}})
    chosen = render.template_for(settings, 'aarch64', 'ipxe')
    assert (chosen.value, chosen.source) == (
        'T', '[multiarch_aarch64]config_templates[ipxe]')
    chosen = render.template_for(settings, 'aarch64', 'grub')
    assert chosen.value == render.builtin('grub.cfg.j2')
    assert chosen.source == 'built-in grub template'


def test_ipxe_timeout_value():
    text = render.render(render.builtin('ipxe.j2'), 'ipxe', label='deploy',
                         kernel='K', ramdisk='R', kernel_params='a=1',
                         timeout=0, ipxe_timeout=60000, bootif=True)
    assert ('kernel --timeout 60000 K a=1 BOOTIF=${mac} initrd=ramdisk '
            '|| goto retry') in text
    assert 'initrd --name ramdisk --timeout 60000 R || goto retry' in text


@pytest.mark.parametrize('fmt,root,expected', [
    ('grub', 'tftp', '/x/k'), ('pxelinux', 'tftp', '::/x/k'),
    ('petitboot', 'tftp', 'tftp://192.0.2.10/x/k'),
    ('ipxe', 'http', 'http://192.0.2.10:8080/x/k'),
    ('grub', 'http', '(http,192.0.2.10:8080)/x/k'),
    ('petitboot', 'http', 'http://192.0.2.10:8080/x/k'),
])
def test_locations(fmt, root, expected):
    loc = render.Locations(fakes.make_settings(), fmt, root, 'n', 'x86_64')
    assert loc.ref('x/./k') == expected


def test_locations_reject_escape():
    loc = render.Locations(fakes.make_settings(), 'grub', 'tftp', 'n', 'a')
    with pytest.raises(exception.UnsafeValue):
        loc.ref('../k')
