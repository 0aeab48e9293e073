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

"""Profiles through stevedore, a third-party architecture, broken plugins."""

import sys

import pytest
from oslo_config import cfg

from ironic_multiarch import conf as conf_mod
from ironic_multiarch.conf import loading
from ironic_multiarch.conf import opts
from ironic_multiarch import exception
from ironic_multiarch import plan
from ironic_multiarch.profiles import aarch64
from ironic_multiarch.profiles import loader
from tests.unit import fakes

RISCV64 = '''\
"""A third-party profile: RISC-V 64-bit UEFI."""

from ironic_multiarch.profiles import base


class RiscV64(base.ArchProfile):
    name = 'riscv64'
    aliases = ('riscv',)
    console = 'console=ttyS0'
    kernel_append_params = ''
    methods = (
        base.BootMethod(
            name='uefi', firmware='UEFI', boot_modes=('uefi',),
            client_arch=(0x1b,),
            loaders=(base.Loader('grub', 'grubriscv64.efi',
                                 ('grubriscv64.efi',), base.GRUB),)),
    )


class NotAProfile(object):
    name = 'riscv64'
'''


@pytest.fixture
def distribution(tmp_path):
    """Install a distribution on disk: ``install(entry_point_lines)``."""
    added = []

    def install(*entry_points, module='riscv64_profile'):
        (tmp_path / ('%s.py' % module)).write_text(RISCV64)
        info = tmp_path / ('%s-1.0.dist-info' % module)
        info.mkdir()
        (info / 'METADATA').write_text(
            'Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n' % module)
        (info / 'entry_points.txt').write_text(
            '[ironic_multiarch.profiles]\n%s\n' % '\n'.join(entry_points))
        sys.path.insert(0, str(tmp_path))
        added.append((str(tmp_path), module))
        loader.reset()

    yield install
    for path, module in added:
        sys.path.remove(path)
        sys.modules.pop(module, None)
    loader.reset()
    assert 'riscv64' not in loader.installed()


def test_installed_builtin_profiles():
    profiles = loader.installed()
    assert {'x86_64', 'aarch64', 'ppc64le'} <= set(profiles)
    assert isinstance(profiles['aarch64'], aarch64.AArch64)
    assert loader.get('aarch64') is profiles['aarch64']


def test_manager_is_cached_until_reset():
    assert loader._manager() is loader._manager()
    first = loader._manager()
    loader.reset()
    assert loader._manager() is not first


def test_get_unknown():
    with pytest.raises(exception.ProfileLoadError) as exc:
        loader.get('s390x')
    fakes.assert_names(exc.value, 'No architecture profile s390x',
                       'ironic_multiarch.profiles',
                       'installed: aarch64, ppc64le, x86_64')


def test_third_party_riscv64_end_to_end(distribution):
    distribution('riscv64 = riscv64_profile:RiscV64')
    profiles = loader.installed()
    assert type(profiles['riscv64']).__name__ == 'RiscV64'

    groups = dict(opts.list_opts())
    assert 'multiarch_riscv64' in groups
    assert 'deploy_kernel' in [o.name for o in groups['multiarch_riscv64']]

    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf, sorted(profiles))
    conf([], project='x', default_config_files=[])
    conf.set_override('enabled_architectures', ['x86_64', 'riscv64'],
                      group='multiarch')
    for role in ('deploy_kernel', 'deploy_ramdisk'):
        conf.set_override(role, 'http://images.example.com/rv.' + role,
                          group='multiarch_riscv64')
    settings = loading.build_settings(conf, profiles,
                                      tftp_server='192.0.2.10')
    facts = fakes.make_facts(cpu_arch='RISCV', extra_kernel_params=())
    result = plan.plan(facts, settings, profiles)

    assert (result.arch, result.method, result.loader.value) == (
        'riscv64', 'uefi', 'grub')
    assert result.bootfile == 'multiarch/riscv64/grubriscv64.efi'
    assert result.kernel.source == '[multiarch_riscv64]deploy_kernel'
    assert result.console.value == 'console=ttyS0'
    assert [(o['opt_name'], o['opt_value']) for o in result.dhcp_options] == [
        ('67', 'multiarch/riscv64/grubriscv64.efi'), ('66', '192.0.2.10'),
        ('150', '192.0.2.10'), ('255', '192.0.2.10'),
        ('59', 'tftp://192.0.2.10/multiarch/riscv64/grubriscv64.efi')]
    assert ('    linux /%s/deploy_kernel selinux=0 troubleshoot=0 text '
            'console=ttyS0 boot_server=192.0.2.10 BOOTIF=' % fakes.UUID
            ) in result.config_text
    assert result.loader_files[0].source is None
    assert profiles['riscv64'].method('uefi').client_arch == (0x1b,)


def test_broken_entry_point_names_it(distribution):
    distribution('riscv64 = riscv64_missing_module:RiscV64')
    with pytest.raises(exception.ProfileLoadError) as exc:
        loader.installed()
    fakes.assert_names(exc.value, 'entry point riscv64',
                       'namespace ironic_multiarch.profiles',
                       'riscv64_missing_module')
    assert isinstance(exc.value.__cause__, ImportError)


@pytest.mark.parametrize('entry_point,names', [
    ('riscv64 = riscv64_profile:Missing', ('entry point riscv64',)),
    ('riscv64 = riscv64_profile:NotAProfile',
     ('Entry point riscv64', 'is not an ArchProfile')),
    ('riscv = riscv64_profile:RiscV64',
     ('Entry point riscv', 'declares cpu_arch riscv64',
      'name the entry point after it')),
])
def test_bad_entry_point_is_named(distribution, entry_point, names):
    distribution(entry_point)
    with pytest.raises(exception.ProfileLoadError) as exc:
        loader.installed()
    fakes.assert_names(exc.value, *names)
