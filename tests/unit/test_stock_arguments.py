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

"""Kernel arguments and images as Ironic's own PXE boot plans them.

The expected values are written from Ironic's code, not from the
planner: ``drivers/utils.get_kernel_append_params`` (instance_info, then
driver_info, ``%default%`` replaced), ``pxe_utils.build_extra_pxe_options``
(append params, ``ipa-debug=1`` unless they mention ``ipa-debug``,
ramdisk params, ``ipa-global-request-id``), the ``boot_ramdisk`` entries
of ``pxe_config.template``, ``pxe_grub_config.template`` and
``ipxe_config.template`` (``root=/dev/ram0 text {{ pxe_append_params }}
{{ ramdisk_opts }}``) and ``drivers/utils.get_agent_kernel_ramdisk``
(a kernel and its ramdisk come from one place). Where the architecture
changes nothing, the plan must match.
"""

import dataclasses

import pytest

from ironic_multiarch import exception
from ironic_multiarch import precedence as prec
from ironic_multiarch import settings as settings_mod
from tests.unit import fakes

IRONIC_DEFAULT = 'nofb vga=normal'
REQUEST_ID = 'req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11'
X86_CONSOLE = 'console=ttyS0,115200n8'
ARM_CONSOLE = 'console=ttyAMA0,115200'
#: pxe_grub_config.template's deploy entry (x86_64 and aarch64 UEFI nodes
#: get GRUB): ``selinux=0 troubleshoot=0 text {{ pxe_append_params }}
#: boot_server={{ tftp_server }}``.
GRUB_DEPLOY = 'selinux=0 troubleshoot=0 text %s boot_server=192.0.2.10'


def _settings(append=IRONIC_DEFAULT, debug=False, globals_=None, **kwargs):
    """Settings with Ironic's ``[pxe]kernel_append_params`` and debug."""
    values = {'[pxe]kernel_append_params': append}
    values.update(globals_ or {})
    settings = fakes.make_settings(**kwargs)
    return dataclasses.replace(settings, ironic=dataclasses.replace(
        settings.ironic, globals=settings_mod.frozen(values), debug=debug))


# 1. %default% -------------------------------------------------------------

@pytest.mark.parametrize('arch,group,own,expected,console', [
    # Ironic: '%default% quiet'.replace('%default%', default)
    ('x86_64', None, '%default% quiet',
     'nofb vga=normal %s quiet' % X86_CONSOLE,
     prec.Chosen(X86_CONSOLE, 'profile x86_64', prec.PROFILE)),
    ('aarch64', 'acpi=force', 'quiet %default%',
     'quiet acpi=force %s' % ARM_CONSOLE,
     prec.Chosen(ARM_CONSOLE, 'profile aarch64', prec.PROFILE)),
    ('aarch64', 'console=ttyAMA1 acpi=force', '%default%',
     'console=ttyAMA1 acpi=force',
     prec.Chosen('console=ttyAMA1', '[multiarch_aarch64]kernel_append_params',
                 prec.ARCH_GROUP)),
    # a console the node gives replaces the architecture's
    ('x86_64', None, 'console=ttyS1 %default%',
     'console=ttyS1 nofb vga=normal %s' % X86_CONSOLE,
     prec.Chosen('console=ttyS1 %s' % X86_CONSOLE,
                 'driver_info/kernel_append_params', prec.NODE)),
])
def test_default_placeholder_expanded(arch, group, own, expected, console):
    settings = _settings(arch={arch: {'kernel_append_params': group}})
    result = fakes.make_plan(settings, cpu_arch=arch, extra_kernel_params=(),
                             driver_info={'kernel_append_params': own})
    assert result.kernel_params.value == GRUB_DEPLOY % expected
    assert result.console == console
    assert '%default%' not in result.config_text


def test_default_placeholder_source_recorded():
    result = fakes.make_plan(
        _settings(), extra_kernel_params=(),
        driver_info={'kernel_append_params': '%default% quiet'})
    assert result.kernel_params == prec.Chosen(
        'selinux=0 troubleshoot=0 text nofb vga=normal '
        'console=ttyS0,115200n8 quiet boot_server=192.0.2.10',
        'driver_info/kernel_append_params (%default% from '
        '[pxe]kernel_append_params)', prec.NODE)


def test_instance_info_kernel_append_params_wins():
    result = fakes.make_plan(
        _settings(), extra_kernel_params=(),
        instance_info={'kernel_append_params': 'splash %default%'},
        driver_info={'kernel_append_params': 'quiet'})
    assert result.kernel_params == prec.Chosen(
        'selinux=0 troubleshoot=0 text splash nofb vga=normal '
        'console=ttyS0,115200n8 boot_server=192.0.2.10',
        'instance_info/kernel_append_params (%default% from '
        '[pxe]kernel_append_params)', prec.NODE)


def test_empty_kernel_append_params_is_a_value():
    # Ironic: '' is not None, so the node gets no arguments of its own.
    result = fakes.make_plan(_settings(), extra_kernel_params=(),
                             driver_info={'kernel_append_params': ''})
    assert result.kernel_params == prec.Chosen(
        'selinux=0 troubleshoot=0 text console=ttyS0,115200n8 '
        'boot_server=192.0.2.10', 'driver_info/kernel_append_params',
        prec.NODE)


# 2. ipa-global-request-id -------------------------------------------------

def test_ipa_global_request_id_appended_last():
    result = fakes.make_plan(_settings(debug=True),
                             global_request_id=REQUEST_ID,
                             driver_info={'kernel_append_params': 'quiet'})
    # GRUB's boot_server= comes after all of them, as in its template.
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text quiet console=ttyS0,115200n8 '
        'ipa-debug=1 ipa-api-url=http://192.0.2.10:6385 '
        'ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 '
        'boot_server=192.0.2.10')


def test_ipa_global_request_id_absent_without_one():
    result = fakes.make_plan(_settings())
    assert 'ipa-global-request-id' not in result.kernel_params.value


@pytest.mark.parametrize('value', ['req-1\nmenuentry', 'req-1 initrd=x'])
def test_ipa_global_request_id_checked(value):
    with pytest.raises(exception.UnsafeValue) as exc:
        fakes.make_plan(_settings(), global_request_id=value)
    fakes.assert_names(exc.value, "the request's global id")


# 3. ipa-debug -------------------------------------------------------------

def test_ipa_debug_not_duplicated():
    result = fakes.make_plan(
        _settings(debug=True),
        driver_info={'kernel_append_params': 'ipa-debug=1 quiet'})
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text ipa-debug=1 quiet '
        'console=ttyS0,115200n8 ipa-api-url=http://192.0.2.10:6385 '
        'boot_server=192.0.2.10')


def test_ipa_debug_not_added_when_arch_arguments_mention_it():
    # Ironic looks for the text 'ipa-debug', whatever its value.
    result = fakes.make_plan(
        _settings(debug=True, arch={'aarch64': {
            'kernel_append_params': 'ipa-debug=0'}}),
        cpu_arch='aarch64', extra_kernel_params=())
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text ipa-debug=0 console=ttyAMA0,115200 '
        'boot_server=192.0.2.10')


def test_ipa_debug_between_append_and_ramdisk_params():
    result = fakes.make_plan(_settings(debug=True))
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text nofb vga=normal '
        'console=ttyS0,115200n8 ipa-debug=1 '
        'ipa-api-url=http://192.0.2.10:6385 boot_server=192.0.2.10')


def test_ipa_debug_from_ramdisk_params_kept_once():
    result = fakes.make_plan(
        _settings(debug=False),
        extra_kernel_params=('ipa-debug=1', fakes.API))
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text nofb vga=normal '
        'console=ttyS0,115200n8 ipa-debug=1 '
        'ipa-api-url=http://192.0.2.10:6385 boot_server=192.0.2.10')


# 4. ramdisk (netboot) instance --------------------------------------------

INSTANCE = {'kernel': 'http://images.example.com/vmlinuz',
            'ramdisk': 'http://images.example.com/initrd'}


def test_ramdisk_instance_kernel_line():
    result = fakes.make_plan(
        _settings(), mode='instance', extra_kernel_params=(),
        instance_info=dict(INSTANCE,
                           ramdisk_kernel_arguments='ip=dhcp rd.neednet=1'))
    assert result.kernel_params.value == (
        'root=/dev/ram0 text nofb vga=normal console=ttyS0,115200n8 '
        'ip=dhcp rd.neednet=1')
    assert ('root=/dev/ram0 text nofb vga=normal console=ttyS0,115200n8 '
            'ip=dhcp rd.neednet=1') in result.config_text


def test_ramdisk_instance_own_arguments_debug_and_request_id():
    result = fakes.make_plan(
        _settings(debug=True), mode='instance', extra_kernel_params=(),
        global_request_id=REQUEST_ID,
        instance_info=dict(INSTANCE, kernel_append_params='quiet',
                           ramdisk_kernel_arguments='ip=dhcp'),
        driver_info={'kernel_append_params': 'ignored'})
    assert result.kernel_params.value == (
        'root=/dev/ram0 text quiet console=ttyS0,115200n8 ipa-debug=1 '
        'ipa-global-request-id=req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11 '
        'ip=dhcp')


def test_ramdisk_kernel_arguments_only_for_the_instance():
    result = fakes.make_plan(
        _settings(), extra_kernel_params=(),
        instance_info={'ramdisk_kernel_arguments': 'ip=dhcp'})
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text nofb vga=normal '
        'console=ttyS0,115200n8 boot_server=192.0.2.10')


def test_ramdisk_kernel_arguments_checked():
    with pytest.raises(exception.UnsafeValue) as exc:
        fakes.make_plan(_settings(), mode='instance', instance_info=dict(
            INSTANCE, ramdisk_kernel_arguments='ip=dhcp\n}'))
    fakes.assert_names(exc.value, 'instance_info/ramdisk_kernel_arguments')


# 5. [pxe]kernel_append_params for every architecture ----------------------

WITH_CONSOLE = 'nofb console=ttyS0,115200n8 vga=normal'
STRIPPED = ('[pxe]kernel_append_params without its console= arguments '
            '(they are for [multiarch]global_options_arch)')


@pytest.mark.parametrize('arch,claimed,expected,source,console', [
    ('aarch64', None, GRUB_DEPLOY % ('nofb vga=normal ' + ARM_CONSOLE),
     STRIPPED, prec.Chosen(ARM_CONSOLE, 'profile aarch64', prec.PROFILE)),
    # petitboot: the arguments of pxe_config.template, no boot_server=
    ('ppc64le', None,
     'selinux=0 troubleshoot=0 text nofb vga=normal console=hvc0', STRIPPED,
     prec.Chosen('console=hvc0', 'profile ppc64le', prec.PROFILE)),
    ('aarch64', 'x86_64', GRUB_DEPLOY % ('nofb vga=normal ' + ARM_CONSOLE),
     STRIPPED, prec.Chosen(ARM_CONSOLE, 'profile aarch64', prec.PROFILE)),
    ('x86_64', None, GRUB_DEPLOY % ('nofb vga=normal ' + X86_CONSOLE),
     STRIPPED, prec.Chosen(X86_CONSOLE, 'profile x86_64', prec.PROFILE)),
    ('x86_64', 'x86_64', GRUB_DEPLOY % WITH_CONSOLE,
     '[pxe]kernel_append_params',
     prec.Chosen(X86_CONSOLE, '[pxe]kernel_append_params',
                 prec.IRONIC_GLOBAL)),
])
def test_ironic_kernel_append_params_base_for_every_arch(
        arch, claimed, expected, source, console):
    settings = _settings(append=WITH_CONSOLE, global_options_arch=claimed)
    result = fakes.make_plan(settings, cpu_arch=arch, extra_kernel_params=())
    assert result.kernel_params == prec.Chosen(expected, source,
                                               prec.IRONIC_GLOBAL)
    assert result.console == console


def test_ironic_kernel_append_params_without_console_keeps_source():
    result = fakes.make_plan(_settings(), cpu_arch='ppc64le',
                             extra_kernel_params=())
    assert result.kernel_params == prec.Chosen(
        'selinux=0 troubleshoot=0 text nofb vga=normal console=hvc0',
        '[pxe]kernel_append_params', prec.IRONIC_GLOBAL)


def test_arch_kernel_append_params_win_over_ironic():
    settings = _settings(append=WITH_CONSOLE, arch={'aarch64': {
        'kernel_append_params': 'acpi=force'}})
    result = fakes.make_plan(settings, cpu_arch='aarch64',
                             extra_kernel_params=())
    assert result.kernel_params == prec.Chosen(
        'selinux=0 troubleshoot=0 text acpi=force console=ttyAMA0,115200 '
        'boot_server=192.0.2.10',
        '[multiarch_aarch64]kernel_append_params', prec.ARCH_GROUP)


# 6. kernel and ramdisk from one place -------------------------------------

ARM = 'http://images.example.com/arm'


@pytest.mark.parametrize('mode,driver_info,arch,by_arch,message,option', [
    ('deploy', {'deploy_kernel': ARM + '/own.kernel'}, {}, {},
     'its deploy_kernel comes from driver_info/deploy_kernel but its '
     'deploy_ramdisk from [multiarch_aarch64]deploy_ramdisk',
     'driver_info/deploy_ramdisk (or unset driver_info/deploy_kernel)'),
    ('deploy', {'deploy_ramdisk': ARM + '/own.ramdisk'}, {}, {},
     'its deploy_kernel comes from [multiarch_aarch64]deploy_kernel but its '
     'deploy_ramdisk from driver_info/deploy_ramdisk',
     'driver_info/deploy_kernel (or unset driver_info/deploy_ramdisk)'),
    ('rescue', {'rescue_kernel': ARM + '/own.kernel'}, {}, {},
     'its rescue_kernel comes from driver_info/rescue_kernel but its '
     'rescue_ramdisk from [multiarch_aarch64]rescue_ramdisk',
     'driver_info/rescue_ramdisk (or unset driver_info/rescue_kernel)'),
    ('deploy', {}, {'deploy_kernel': None},
     {'[conductor]deploy_kernel_by_arch': {'aarch64': ARM + '/k'}},
     'its deploy_kernel comes from [conductor]deploy_kernel_by_arch[aarch64] '
     'but its deploy_ramdisk from [multiarch_aarch64]deploy_ramdisk',
     '[multiarch_aarch64]deploy_kernel (or unset '
     '[multiarch_aarch64]deploy_ramdisk)'),
])
def test_kernel_ramdisk_mixed_sources_refused(mode, driver_info, arch,
                                              by_arch, message, option):
    settings = fakes.make_settings(arch={'aarch64': {'images': arch}},
                                   ironic={'by_arch': by_arch})
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings, mode=mode, cpu_arch='aarch64',
                        driver_info=driver_info)
    assert exc.value.option == option
    fakes.assert_names(exc.value, 'Node %s' % fakes.UUID,
                       '(cpu_arch aarch64)', message, 'Set %s' % option,
                       'for example http://images.example.com/ipa-aarch64.')


def test_kernel_ramdisk_global_and_group_mixed_refused():
    settings = fakes.make_settings(
        arch={'x86_64': {'images': {'deploy_kernel': None}}},
        global_options_arch='x86_64',
        ironic={'globals': {'[conductor]deploy_kernel': 'http://g/k'}})
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings)
    assert str(exc.value) == (
        'Node %s (cpu_arch x86_64): its deploy_kernel comes from '
        '[conductor]deploy_kernel but its deploy_ramdisk from '
        '[multiarch_x86_64]deploy_ramdisk; a kernel and its ramdisk must '
        'come from the same place, or the kernel boots a ramdisk it was '
        'not built with. Set [multiarch_x86_64]deploy_kernel (or unset '
        '[multiarch_x86_64]deploy_ramdisk), for example '
        'http://images.example.com/ipa-x86_64.kernel.' % fakes.UUID)


# 7. Ironic's global options claimed by no architecture --------------------

def test_global_options_arch_default_unset():
    assert settings_mod.Settings().global_options_arch is None


def test_global_options_unclaimed_named_in_error():
    settings = fakes.make_settings(
        arch={'aarch64': {'images': {'deploy_kernel': None}}},
        ironic={'globals': {'[conductor]deploy_kernel': 'http://g/k'}})
    with pytest.raises(exception.MissingSetting) as exc:
        fakes.make_plan(settings, cpu_arch='aarch64')
    assert str(exc.value) == (
        'Node %s (cpu_arch aarch64): no deploy_kernel is set for this '
        "architecture; [conductor]deploy_kernel is set but no architecture "
        "claims Ironic's global options. Set [multiarch]global_options_arch "
        '= aarch64 if [conductor]deploy_kernel is built for aarch64, or '
        "[multiarch_aarch64]deploy_kernel (or the node's "
        'driver_info/deploy_kernel), for example '
        'http://images.example.com/ipa-aarch64.kernel.' % fakes.UUID)
    assert 'http://g/k' not in str(exc.value)


def test_global_options_claimed_elsewhere_not_hinted():
    settings = fakes.make_settings(
        arch={'aarch64': {'images': {'deploy_kernel': None}}},
        global_options_arch='x86_64',
        ironic={'globals': {'[conductor]deploy_kernel': 'http://g/k'}})
    with pytest.raises(exception.MissingSetting) as exc:
        fakes.make_plan(settings, cpu_arch='aarch64')
    assert exc.value.option == (
        "[multiarch_aarch64]deploy_kernel (or the node's "
        'driver_info/deploy_kernel)')
    assert 'claims' not in str(exc.value)


@pytest.mark.parametrize('claimed,globals_,paths,expected', [
    (None, {}, {}, ()),
    (None, {'[conductor]deploy_kernel': 'http://k',
            '[conductor]rescue_ramdisk': 'http://r',
            '[pxe]kernel_append_params': 'nofb'},
     {'bootx64.efi': '/srv/bootx64.efi'},
     ('[conductor]deploy_kernel', '[conductor]rescue_ramdisk',
      '[pxe]loader_file_paths')),
    (None, {'[pxe]kernel_append_params': 'nofb console=ttyS0'}, {},
     ('[pxe]kernel_append_params',)),
    ('x86_64', {'[conductor]deploy_kernel': 'http://k'},
     {'bootx64.efi': '/srv/bootx64.efi'}, ()),
])
def test_unclaimed_globals(claimed, globals_, paths, expected):
    settings = fakes.make_settings(
        global_options_arch=claimed,
        ironic={'globals': globals_, 'loader_file_paths': paths})
    assert prec.unclaimed_globals(settings) == expected


# 8. The fixed words of Ironic's deploy and rescue entries -----------------

@pytest.mark.parametrize('mode', ['deploy', 'rescue'])
@pytest.mark.parametrize('arch,boot_mode,ipxe,line', [
    # pxe_grub_config.template: selinux=0 troubleshoot=0 text
    # {{ pxe_append_params }} boot_server={{ tftp_server }}
    ('x86_64', 'uefi', False,
     '    linux /{uuid}/{mode}_kernel selinux=0 troubleshoot=0 text '
     'nofb vga=normal console=ttyS0,115200n8 boot_server=192.0.2.10 '
     'BOOTIF=${{net_default_mac}}'),
    ('aarch64', 'uefi', False,
     '    linux /{uuid}/{mode}_kernel selinux=0 troubleshoot=0 text '
     'nofb vga=normal console=ttyAMA0,115200 boot_server=192.0.2.10 '
     'BOOTIF=${{net_default_mac}}'),
    # pxe_config.template: append initrd=... selinux=0 troubleshoot=0
    # text {{ pxe_append_params }}, then ipappend 2
    ('x86_64', 'bios', False,
     '    APPEND initrd=::/{uuid}/{mode}_ramdisk selinux=0 troubleshoot=0 '
     'text nofb vga=normal console=ttyS0,115200n8'),
    # petitboot reads pxelinux syntax: the same arguments
    ('ppc64le', 'uefi', False,
     '    APPEND selinux=0 troubleshoot=0 text nofb vga=normal '
     'console=hvc0'),
    # ipxe_config.template: selinux=0 troubleshoot=0 text
    # {{ pxe_append_params }} BOOTIF=${mac} initrd=...
    ('x86_64', 'uefi', True,
     'kernel http://192.0.2.10:8080/{uuid}/{mode}_kernel selinux=0 '
     'troubleshoot=0 text nofb vga=normal console=ttyS0,115200n8 '
     'BOOTIF=${{mac}} initrd=ramdisk || goto retry'),
    ('aarch64', 'uefi', True,
     'kernel http://192.0.2.10:8080/{uuid}/{mode}_kernel selinux=0 '
     'troubleshoot=0 text nofb vga=normal console=ttyAMA0,115200 '
     'BOOTIF=${{mac}} initrd=ramdisk || goto retry'),
])
def test_deploy_and_rescue_entry_arguments(arch, boot_mode, ipxe, line,
                                           mode):
    result = fakes.make_plan(_settings(), cpu_arch=arch, boot_mode=boot_mode,
                             ipxe=ipxe, mode=mode, extra_kernel_params=())
    assert line.format(uuid=fakes.UUID, mode=mode) in (
        result.config_text.splitlines())


@pytest.mark.parametrize('arch,boot_mode', [('x86_64', 'bios'),
                                            ('ppc64le', 'uefi')])
def test_pxelinux_syntax_deploy_entry_passes_bootif(arch, boot_mode):
    result = fakes.make_plan(_settings(), cpu_arch=arch, boot_mode=boot_mode)
    assert result.config_text.splitlines()[-1] == '    IPAPPEND 2'


@pytest.mark.parametrize('tftp_server', ['2001:db8::1', '[2001:db8::1]',
                                         'tftp.example.com'])
def test_grub_boot_server_is_tftp_server_as_set(tftp_server):
    # Ironic writes [pxe]tftp_server as it is.
    result = fakes.make_plan(_settings(tftp_server=tftp_server),
                             extra_kernel_params=())
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text nofb vga=normal '
        'console=ttyS0,115200n8 boot_server=%s' % tftp_server)


def test_grub_boot_server_only_on_deploy_and_rescue():
    result = fakes.make_plan(_settings(), mode='instance',
                             extra_kernel_params=(), instance_info=INSTANCE)
    assert 'boot_server=' not in result.config_text


# 9. No BOOTIF on the ramdisk instance -------------------------------------

@pytest.mark.parametrize('arch,boot_mode,ipxe,line', [
    # pxe_grub_config.template boot_ramdisk: root=/dev/ram0 text
    # {{ pxe_append_params }} {{ ramdisk_opts }}
    ('x86_64', 'uefi', False,
     '    linux /{uuid}/kernel root=/dev/ram0 text nofb vga=normal '
     'console=ttyS0,115200n8'),
    ('aarch64', 'uefi', False,
     '    linux /{uuid}/kernel root=/dev/ram0 text nofb vga=normal '
     'console=ttyAMA0,115200'),
    # ipxe_config.template boot_ramdisk: ... initrd=ramdisk
    ('x86_64', 'bios', True,
     'kernel http://192.0.2.10:8080/{uuid}/kernel root=/dev/ram0 text '
     'nofb vga=normal console=ttyS0,115200n8 initrd=ramdisk '
     '|| goto retry'),
])
def test_ramdisk_instance_entry_has_no_bootif(arch, boot_mode, ipxe, line):
    result = fakes.make_plan(_settings(), cpu_arch=arch, boot_mode=boot_mode,
                             ipxe=ipxe, mode='instance',
                             extra_kernel_params=(), instance_info=INSTANCE)
    assert line.format(uuid=fakes.UUID) in result.config_text.splitlines()
    assert 'BOOTIF' not in result.config_text


@pytest.mark.parametrize('arch,boot_mode,line', [
    ('x86_64', 'bios',
     '    APPEND initrd=::/{uuid}/ramdisk root=/dev/ram0 text nofb '
     'vga=normal console=ttyS0,115200n8'),
    ('ppc64le', 'uefi',
     '    APPEND root=/dev/ram0 text nofb vga=normal console=hvc0'),
])
def test_ramdisk_instance_entry_has_no_ipappend(arch, boot_mode, line):
    # pxe_config.template's boot_ramdisk label has no ipappend line.
    result = fakes.make_plan(_settings(), cpu_arch=arch, boot_mode=boot_mode,
                             mode='instance', extra_kernel_params=(),
                             instance_info=INSTANCE)
    assert result.config_text.splitlines()[-1] == line.format(
        uuid=fakes.UUID)
    assert 'IPAPPEND' not in result.config_text
