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

"""Tests of :func:`ironic_multiarch.conf.loading.build_settings`."""

import pytest
from oslo_config import cfg

from ironic_multiarch import conf as conf_mod
from ironic_multiarch.conf import loading
from ironic_multiarch import exception
from ironic_multiarch import plan
from ironic_multiarch import settings as settings_mod
from tests.unit import fakes


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf, sorted(fakes.profiles()))
    conf([], project='ironic-multiarch-test', default_config_files=[])
    return conf


def _set(conf, group, **values):
    for name, value in values.items():
        conf.set_override(name, value, group=group)


def _build(conf, **kwargs):
    return loading.build_settings(conf, fakes.profiles(), **kwargs)


def _config_error(conf, *parts):
    with pytest.raises(exception.ConfigError) as exc:
        _build(conf)
    fakes.assert_names(exc.value, *parts)
    return exc.value


def test_defaults(conf):
    settings = _build(conf, tftp_server='192.0.2.10')
    assert settings.enabled == ('x86_64', 'aarch64', 'ppc64le')
    assert settings.default_arch is None
    assert settings.global_options_arch is None
    assert settings.loader_dir == 'multiarch'
    assert (settings.grub_http, settings.menu_timeout) == (False, 5)
    assert settings.tftp_server == '192.0.2.10'
    assert settings.ironic == settings_mod.IronicOptions()
    assert sorted(settings.arch) == ['aarch64', 'ppc64le', 'x86_64']
    assert settings.for_arch('aarch64') == settings_mod.ArchSettings()


def test_values_reach_settings(conf):
    _set(conf, 'multiarch', enabled_architectures=['aarch64', 'x86_64',
                                                   'aarch64'],
         default_arch='ARM64', arch_aliases={'ARMv8': 'aarch64'},
         global_options_arch='', loader_dir='boot', grub_http_delivery=True,
         menu_timeout=0)
    _set(conf, 'multiarch_aarch64', deploy_kernel='http://k',
         deploy_ramdisk='http://r', console='', kernel_append_params='quiet',
         loaders={'uefi': 'shim'}, loader_paths={'grubaa64.efi': '/g.efi'})
    ironic = settings_mod.IronicOptions(globals=settings_mod.frozen(
        {'[conductor]deploy_kernel': 'http://x'}))
    settings = _build(conf, ironic=ironic, http_url='http://h')
    assert settings.enabled == ('aarch64', 'x86_64')
    assert settings.default_arch == 'aarch64'
    assert settings.aliases['armv8'] == 'aarch64'
    assert settings.global_options_arch is None
    assert (settings.loader_dir, settings.grub_http,
            settings.menu_timeout) == ('boot', True, 0)
    assert settings.ironic is ironic and settings.http_url == 'http://h'
    group = settings.for_arch('aarch64')
    assert dict(group.images) == {'deploy_kernel': 'http://k',
                                  'deploy_ramdisk': 'http://r'}
    assert (group.console, group.kernel_append_params) == ('', 'quiet')
    assert dict(group.loaders) == {'uefi': 'shim'}
    assert dict(group.loader_paths) == {'grubaa64.efi': '/g.efi'}
    assert 'ppc64le' not in settings.arch
    with pytest.raises(TypeError):
        group.images['rescue_kernel'] = 'x'


def test_unknown_profile_enabled(conf):
    _set(conf, 'multiarch', enabled_architectures=['x86_64', 'riscv64'])
    _config_error(conf, '[multiarch]enabled_architectures',
                  "no architecture profile 'riscv64' is installed",
                  'installed: aarch64, ppc64le, x86_64',
                  'Example: aarch64,ppc64le,x86_64')


def test_alias_enabled_is_not_canonical(conf):
    _set(conf, 'multiarch', enabled_architectures=['arm64'])
    _config_error(conf, '[multiarch]enabled_architectures', "'arm64'")


def test_alias_to_unknown(conf):
    _set(conf, 'multiarch', arch_aliases={'armv8': 'arm64'})
    _config_error(conf, '[multiarch]arch_aliases',
                  "alias 'armv8' points to 'arm64'",
                  'Example: armv8:aarch64')


@pytest.mark.parametrize('value', ['riscv64', 'x86 64'])
def test_default_arch_unknown(conf, value):
    _set(conf, 'multiarch', default_arch=value)
    _config_error(conf, '[multiarch]default_arch', repr(value),
                  'Example: x86_64')


def test_default_arch_not_enabled(conf):
    _set(conf, 'multiarch', enabled_architectures=['x86_64'],
         default_arch='aarch64')
    _config_error(conf, '[multiarch]default_arch',
                  "'aarch64' is not an enabled CPU architecture",
                  'accepted: x86_64', 'Example: x86_64')


def test_global_options_arch_unknown(conf):
    _set(conf, 'multiarch', global_options_arch='amd64')
    _config_error(conf, '[multiarch]global_options_arch', "'amd64'",
                  'Example: x86_64')


@pytest.mark.parametrize('value', ['../tftp', 'a/b', '.hidden', 'a b', ''])
def test_bad_loader_dir(conf, value):
    _set(conf, 'multiarch', loader_dir=value)
    _config_error(conf, '[multiarch]loader_dir',
                  'must be a plain directory name', 'Example: multiarch')


def test_bad_method_in_loaders(conf):
    _set(conf, 'multiarch_aarch64', loaders={'bios': 'pxelinux'})
    _config_error(conf, '[multiarch_aarch64]loaders',
                  "no boot method 'bios'; aarch64 has: uefi",
                  'Example: uefi:grub')


@pytest.mark.parametrize('arch,method,loader,choices', [
    ('aarch64', 'uefi', 'pxelinux', 'grub, shim'),
    ('x86_64', 'bios', 'shim', 'pxelinux'),
    ('ppc64le', 'opal', 'grub', 'petitboot'),
    # iPXE comes with the multiarch-ipxe interface: as a PXE loader it
    # would chain itself forever.
    ('aarch64', 'uefi', 'ipxe', 'grub, shim'),
    ('x86_64', 'bios', 'ipxe', 'pxelinux'),
])
def test_bad_loader_in_loaders(conf, arch, method, loader, choices):
    _set(conf, 'multiarch_%s' % arch, loaders={method: loader})
    _config_error(conf, '[multiarch_%s]loaders' % arch,
                  'loader %r cannot boot %s %s' % (loader, arch, method),
                  'choose one of %s' % choices)


def test_loaders_of_disabled_arch_not_checked(conf):
    _set(conf, 'multiarch', enabled_architectures=['x86_64'])
    _set(conf, 'multiarch_aarch64', loaders={'bios': 'x'})
    assert _build(conf).enabled == ('x86_64',)


def test_unknown_template_format(conf, tmp_path):
    _set(conf, 'multiarch_ppc64le', config_templates={'yaboot': str(tmp_path)})
    _config_error(conf, '[multiarch_ppc64le]config_templates',
                  "unknown config format 'yaboot'",
                  'grub, pxelinux, petitboot, ipxe')


def test_unreadable_template(conf, tmp_path):
    path = tmp_path / 'missing.j2'
    _set(conf, 'multiarch_aarch64', config_templates={'grub': str(path)})
    _config_error(conf, '[multiarch_aarch64]config_templates',
                  'cannot read the grub template %s' % path,
                  'No such file', 'Example: grub:/etc/ironic/grub.j2')


def test_template_override_is_used(conf, tmp_path):
    path = tmp_path / 'grub.j2'
    path.write_text('# site\nlinux {{ kernel }} {{ kernel_params }}\n'
                    'initrd {{ ramdisk }}\n', encoding='utf-8')
    _set(conf, 'multiarch_aarch64', config_templates={'grub': str(path)},
         deploy_kernel='http://k', deploy_ramdisk='http://r')
    settings = _build(conf, tftp_server='192.0.2.10')
    facts = fakes.make_facts(cpu_arch='aarch64', extra_kernel_params=())
    result = plan.plan(facts, settings, fakes.profiles())
    assert result.config_text == (
        '# site\nlinux /%(u)s/deploy_kernel selinux=0 troubleshoot=0 text '
        'console=ttyAMA0,115200 boot_server=192.0.2.10\n'
        'initrd /%(u)s/deploy_ramdisk\n' % {'u': fakes.UUID})
    assert result.template.source == (
        '[multiarch_aarch64]config_templates[grub]')
    x86 = fakes.make_facts(driver_info={'deploy_kernel': 'http://k',
                                        'deploy_ramdisk': 'http://r'})
    assert plan.plan(x86, settings, fakes.profiles()).template.source == (
        'built-in grub template')


def test_from_config_file(tmp_path):
    path = tmp_path / 'ironic.conf'
    path.write_text('[multiarch]\nenabled_architectures = aarch64\n'
                    'default_arch = aa64\n'
                    '[multiarch_aarch64]\nloaders = uefi:shim\n'
                    'deploy_kernel = http://k\ndeploy_ramdisk = http://r\n')
    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf, sorted(fakes.profiles()))
    conf([], project='x', default_config_files=[str(path)])
    settings = _build(conf, tftp_server='192.0.2.10')
    result = plan.plan(fakes.make_facts(cpu_arch=None), settings,
                       fakes.profiles())
    assert (result.arch, result.loader.value) == ('aarch64', 'shim')
    assert result.kernel.source == '[multiarch_aarch64]deploy_kernel'
