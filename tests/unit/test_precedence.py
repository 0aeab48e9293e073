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

"""Which value wins, at which level, and what is recorded as its source.

Levels (see :mod:`ironic_multiarch.precedence`): 1 node, 2 multiarch
group, 3 Ironic's ``*_by_arch``, 4 profile default, 5 Ironic's global
options only for ``[multiarch]global_options_arch``.
"""

import pytest

from ironic_multiarch import exception
from ironic_multiarch import precedence as prec
from ironic_multiarch import settings as settings_mod
from tests.unit import fakes

NODE_HREF = 'http://node.example.com/own'
GROUP_HREF = 'http://group.example.com/own'
BY_ARCH_HREF = 'http://by-arch.example.com/own'
GLOBAL_HREF = 'http://global.example.com/x86-only'


def test_first_skips_unset():
    chosen = prec.first([(1, 'a', None), (2, 'b', ''), (3, 'c', 'v'),
                         (4, 'd', 'w')])
    assert chosen == prec.Chosen('v', 'c', 3)
    assert prec.first([(1, 'a', None)]) is None


def test_first_empty_is_a_value_when_asked():
    assert prec.first([(1, 'a', None), (2, 'b', ''), (3, 'c', 'v')],
                      empty_is_unset=False) == prec.Chosen('', 'b', 2)


def test_chosen_as_dict_names_level():
    assert prec.Chosen('v', 's', prec.IRONIC_BY_ARCH).as_dict() == {
        'value': 'v', 'source': 's', 'level': 'ironic by-arch option'}
    assert prec.Chosen('v', 's', 9).as_dict()['level'] == '9'


def test_by_arch_uses_ironic_arch_keys_in_order():
    settings = fakes.make_settings(ironic={'by_arch': {
        '[pxe]pxe_bootfile_name_by_arch': {'arm64': 'b', 'aarch64': 'a'}}})
    profile = fakes.profiles()['aarch64']
    assert list(prec.by_arch(settings, profile,
                             '[pxe]pxe_bootfile_name_by_arch')) == [
        (3, '[pxe]pxe_bootfile_name_by_arch[aarch64]', 'a'),
        (3, '[pxe]pxe_bootfile_name_by_arch[arm64]', 'b')]
    assert list(prec.by_arch(settings, profile, '[x]unset_by_arch')) == []


def test_ironic_global_only_for_its_arch():
    settings = fakes.make_settings(global_options_arch='aarch64')
    assert list(prec.ironic_global(settings, 'x86_64', 'o')) == []
    assert list(prec.ironic_global(settings, 'aarch64', 'o')) == [
        (5, 'o', None)]


def _image_settings(arch, roles, levels, global_arch='x86_64'):
    """Settings where ``roles`` of ``arch`` are set at the given levels."""
    if isinstance(roles, str):
        roles = (roles,)
    group = {'images': {role: GROUP_HREF if prec.ARCH_GROUP in levels
                        else None for role in roles}}
    by_arch = {'[conductor]%s_by_arch' % role: (
        {arch: BY_ARCH_HREF} if prec.IRONIC_BY_ARCH in levels else {})
        for role in roles}
    globals_ = {'[conductor]%s' % role: (
        GLOBAL_HREF if prec.IRONIC_GLOBAL in levels else None)
        for role in roles}
    return fakes.make_settings(
        arch={arch: group}, global_options_arch=global_arch,
        ironic={'by_arch': by_arch, 'globals': globals_})


MODES = [('deploy', 'deploy_kernel', 'kernel'),
         ('deploy', 'deploy_ramdisk', 'ramdisk'),
         ('rescue', 'rescue_kernel', 'kernel'),
         ('rescue', 'rescue_ramdisk', 'ramdisk')]
PAIRS = {'deploy': ('deploy_kernel', 'deploy_ramdisk'),
         'rescue': ('rescue_kernel', 'rescue_ramdisk')}
ALL = (prec.NODE, prec.ARCH_GROUP, prec.IRONIC_BY_ARCH, prec.IRONIC_GLOBAL)


@pytest.mark.parametrize('mode', ['deploy', 'rescue'])
@pytest.mark.parametrize('top,value,source', [
    (prec.NODE, NODE_HREF, 'driver_info/%(role)s'),
    (prec.ARCH_GROUP, GROUP_HREF, '[multiarch_x86_64]%(role)s'),
    (prec.IRONIC_BY_ARCH, BY_ARCH_HREF,
     '[conductor]%(role)s_by_arch[x86_64]'),
    (prec.IRONIC_GLOBAL, GLOBAL_HREF, '[conductor]%(role)s'),
])
def test_image_levels(mode, top, value, source):
    """Each level wins over every lower one (x86_64 owns the globals)."""
    levels = [lv for lv in ALL if lv >= top]
    kernel_role, ramdisk_role = PAIRS[mode]
    driver_info = ({kernel_role: NODE_HREF, ramdisk_role: NODE_HREF}
                   if prec.NODE in levels else {})
    result = fakes.make_plan(
        _image_settings('x86_64', PAIRS[mode], levels), mode=mode,
        driver_info=driver_info)
    assert result.kernel == prec.Chosen(
        value, source % {'role': kernel_role}, top)
    assert result.ramdisk == prec.Chosen(
        value, source % {'role': ramdisk_role}, top)


@pytest.mark.parametrize('mode', ['deploy', 'rescue'])
def test_by_arch_alias_key(mode):
    settings = fakes.make_settings(
        arch={'aarch64': {'images': {role: None for role in PAIRS[mode]}}},
        ironic={'by_arch': {'[conductor]%s_by_arch' % role:
                            {'arm64': BY_ARCH_HREF}
                            for role in PAIRS[mode]}})
    result = fakes.make_plan(settings, mode=mode, cpu_arch='aarch64')
    kernel_role, ramdisk_role = PAIRS[mode]
    assert result.kernel == prec.Chosen(
        BY_ARCH_HREF, '[conductor]%s_by_arch[arm64]' % kernel_role, 3)
    assert result.ramdisk == prec.Chosen(
        BY_ARCH_HREF, '[conductor]%s_by_arch[arm64]' % ramdisk_role, 3)


@pytest.mark.parametrize('mode,role,field', MODES)
@pytest.mark.parametrize('arch', ['aarch64', 'ppc64le'])
def test_global_options_never_serve_another_arch(mode, role, field, arch):
    """The bug this project exists to end: no x86 kernel for aarch64."""
    settings = _image_settings(arch, role, [prec.IRONIC_GLOBAL])
    with pytest.raises(exception.MissingSetting) as exc:
        fakes.make_plan(settings, mode=mode, cpu_arch=arch,
                        boot_mode='uefi')
    fakes.assert_names(exc.value, 'Node %s' % fakes.UUID,
                       '(cpu_arch %s)' % arch, 'no %s is set' % role,
                       'Set [multiarch_%s]%s' % (arch, role),
                       "driver_info/%s" % role,
                       'for example http://images.example.com/ipa-%s.%s'
                       % (arch, field))
    assert exc.value.option.startswith('[multiarch_%s]%s' % (arch, role))
    assert GLOBAL_HREF not in str(exc.value)


def test_global_options_follow_global_options_arch():
    role = 'deploy_kernel'
    settings = _image_settings('aarch64', PAIRS['deploy'],
                               [prec.IRONIC_GLOBAL], global_arch='aarch64')
    result = fakes.make_plan(settings, cpu_arch='aarch64')
    assert result.kernel == prec.Chosen(GLOBAL_HREF, '[conductor]%s' % role,
                                        prec.IRONIC_GLOBAL)
    assert result.ramdisk == prec.Chosen(
        GLOBAL_HREF, '[conductor]deploy_ramdisk', prec.IRONIC_GLOBAL)
    settings = _image_settings('x86_64', role, [prec.IRONIC_GLOBAL],
                               global_arch='aarch64')
    with pytest.raises(exception.MissingSetting):
        fakes.make_plan(settings, cpu_arch='x86_64')
    settings = _image_settings('x86_64', role, [prec.IRONIC_GLOBAL],
                               global_arch=None)
    with pytest.raises(exception.MissingSetting):
        fakes.make_plan(settings, cpu_arch='x86_64')


def test_instance_images_come_from_instance_info():
    result = fakes.make_plan(mode='instance', instance_info={
        'kernel': 'http://i.example.com/k', 'ramdisk': 'http://i/r'})
    assert result.kernel == prec.Chosen('http://i.example.com/k',
                                        'instance_info/kernel', prec.NODE)
    assert result.ramdisk.source == 'instance_info/ramdisk'
    assert result.kernel_path == fakes.UUID + '/kernel'
    with pytest.raises(exception.MissingSetting) as exc:
        fakes.make_plan(mode='instance', instance_info={'kernel': 'http://k'})
    fakes.assert_names(exc.value, 'no ramdisk', 'Set instance_info/ramdisk')


IRONIC_APPEND = {'globals': {'[pxe]kernel_append_params': 'nofb vga=normal'}}


@pytest.mark.parametrize('arch,group,node,expected', [
    ('x86_64', None, 'quiet', ('quiet', 'driver_info/kernel_append_params',
                               prec.NODE)),
    ('aarch64', 'acpi=on', 'quiet',
     ('quiet', 'driver_info/kernel_append_params', prec.NODE)),
    ('aarch64', 'acpi=on', None,
     ('acpi=on', '[multiarch_aarch64]kernel_append_params', prec.ARCH_GROUP)),
    ('x86_64', '', None,
     ('', '[multiarch_x86_64]kernel_append_params', prec.ARCH_GROUP)),
    ('aarch64', None, None,
     ('nofb vga=normal', '[pxe]kernel_append_params', prec.IRONIC_GLOBAL)),
    ('ppc64le', None, None,
     ('nofb vga=normal', '[pxe]kernel_append_params', prec.IRONIC_GLOBAL)),
    ('x86_64', None, None,
     ('nofb vga=normal', '[pxe]kernel_append_params', prec.IRONIC_GLOBAL)),
])
def test_kernel_params_levels(arch, group, node, expected):
    settings = fakes.make_settings(
        arch={arch: {'kernel_append_params': group}}, ironic=IRONIC_APPEND)
    driver_info = {'kernel_append_params': node} if node else {}
    result = fakes.make_plan(settings, cpu_arch=arch, driver_info=driver_info,
                             extra_kernel_params=())
    value, source, level = expected
    console = fakes.profiles()[arch].console
    # x86_64 and aarch64 UEFI nodes get GRUB, ppc64le petitboot.
    server = '' if arch == 'ppc64le' else fakes.BOOT_SERVER
    assert result.kernel_params == prec.Chosen(
        ' '.join(a for a in (fakes.DEPLOY_ARGS, value, console, server) if a),
        source, level)


def test_kernel_params_unset_everywhere():
    result = fakes.make_plan(extra_kernel_params=())
    assert result.kernel_params == prec.Chosen(
        'selinux=0 troubleshoot=0 text console=ttyS0,115200n8 '
        'boot_server=192.0.2.10', 'no kernel arguments set', prec.PROFILE)


@pytest.mark.parametrize('arch,expected', [
    ('aarch64', 'selinux=0 troubleshoot=0 text console=ttyAMA0,115200 '
                'boot_server=192.0.2.10'),
    ('ppc64le', 'selinux=0 troubleshoot=0 text console=hvc0')])
def test_kernel_params_profile_default_without_ironic_option(arch, expected):
    result = fakes.make_plan(cpu_arch=arch, extra_kernel_params=())
    assert result.kernel_params.source == 'profile %s' % arch
    assert result.kernel_params.value == expected


@pytest.mark.parametrize('arch,group,expected,params', [
    ('x86_64', None, ('console=ttyS0,115200n8', 'profile x86_64', 4),
     'selinux=0 troubleshoot=0 text console=ttyS0,115200n8 '
     'boot_server=192.0.2.10'),
    ('aarch64', None, ('console=ttyAMA0,115200', 'profile aarch64', 4),
     'selinux=0 troubleshoot=0 text console=ttyAMA0,115200 '
     'boot_server=192.0.2.10'),
    ('ppc64le', None, ('console=hvc0', 'profile ppc64le', 4),
     'selinux=0 troubleshoot=0 text console=hvc0'),
    ('aarch64', 'console=ttyS0,115200',
     ('console=ttyS0,115200', '[multiarch_aarch64]console', 2),
     'selinux=0 troubleshoot=0 text console=ttyS0,115200 '
     'boot_server=192.0.2.10'),
    ('aarch64', '', ('', '[multiarch_aarch64]console', 2),
     'selinux=0 troubleshoot=0 text boot_server=192.0.2.10'),
])
def test_console_levels(arch, group, expected, params):
    settings = fakes.make_settings(arch={arch: {'console': group}})
    result = fakes.make_plan(settings, cpu_arch=arch, extra_kernel_params=())
    assert result.console == prec.Chosen(*expected)
    assert result.kernel_params.value == params


def test_console_in_kernel_params_wins():
    settings = fakes.make_settings(arch={'aarch64': {
        'console': 'console=ttyS1', 'kernel_append_params':
        'console=tty0 quiet console=ttyAMA1,9600'}})
    result = fakes.make_plan(settings, cpu_arch='aarch64')
    assert result.console == prec.Chosen(
        'console=tty0 console=ttyAMA1,9600',
        '[multiarch_aarch64]kernel_append_params', prec.ARCH_GROUP)
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text console=tty0 quiet '
        'console=ttyAMA1,9600 ipa-api-url=http://192.0.2.10:6385 '
        'boot_server=192.0.2.10')


def test_extra_kernel_params_appended_last():
    result = fakes.make_plan(driver_info={'kernel_append_params': 'quiet'},
                             extra_kernel_params=('ipa-debug=1', fakes.API))
    assert result.kernel_params.value == (
        'selinux=0 troubleshoot=0 text quiet console=ttyS0,115200n8 '
        'ipa-debug=1 ipa-api-url=http://192.0.2.10:6385 '
        'boot_server=192.0.2.10')


def test_template_override_recorded():
    settings = fakes.make_settings(arch={'aarch64': {
        'templates': {'grub': 'custom {{ kernel }}'}}})
    result = fakes.make_plan(settings, cpu_arch='aarch64')
    assert result.template.source == (
        '[multiarch_aarch64]config_templates[grub]')
    assert result.template.level == prec.ARCH_GROUP
    assert result.config_text == 'custom /%s/deploy_kernel\n' % fakes.UUID
    other = fakes.make_plan(settings, cpu_arch='x86_64')
    assert other.template.source == 'built-in grub template'
    assert other.template.level == prec.PROFILE


def test_provenance():
    result = fakes.make_plan(driver_info={'deploy_kernel': NODE_HREF,
                                          'deploy_ramdisk': NODE_HREF})
    assert result.provenance == {
        'loader': 'profile x86_64', 'kernel': 'driver_info/deploy_kernel',
        'ramdisk': 'driver_info/deploy_ramdisk',
        'kernel_params': 'no kernel arguments set',
        'console': 'profile x86_64', 'template': 'built-in grub template'}


def test_settings_for_arch_default():
    assert settings_mod.Settings().for_arch('s390x') == (
        settings_mod.ArchSettings())
