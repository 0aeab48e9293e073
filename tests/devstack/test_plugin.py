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

"""The devstack plugin's phases, run with bash against a stand-in devstack.

The stand-in (fake-functions.sh) edits a real ironic.conf, pre-filled the
way Ironic's own devstack plugin leaves it before ours runs, and records
package installs in a log.
"""

import configparser
import os
import pathlib
import subprocess
import sys

from oslo_config import cfg
import pytest

from ironic_multiarch import conf as ma_conf
from ironic_multiarch.conf import loading
from ironic_multiarch.profiles import aarch64
from ironic_multiarch.profiles import loader
from ironic_multiarch.profiles import x86_64

TOP = pathlib.Path(__file__).resolve().parents[2]
FAKE = pathlib.Path(__file__).resolve().parent / 'fake-functions.sh'

IRONIC_CONF = """\
[DEFAULT]
debug = True
enabled_hardware_types = ipmi,redfish
enabled_boot_interfaces = ipxe,pxe
enabled_deploy_interfaces = direct,ramdisk

[conductor]
deploy_kernel = 0b6a0ac8-4b4d-4a8a-9f3e-3d3c0c8b1e6a

[pxe]
tftp_root = /opt/stack/data/ironic/tftpboot
"""

X86_PACKAGES = ('syslinux-common pxelinux ipxe grub-efi-amd64-signed '
                'shim-signed')


class Devstack:
    """A temporary devstack: ironic.conf, loader root, call log."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.conf = tmp_path / 'etc' / 'ironic.conf'
        self.conf.parent.mkdir()
        self.conf.write_text(IRONIC_CONF)
        self.log = tmp_path / 'calls.log'
        self.log.touch()
        self.loader_root = tmp_path / 'root'
        self.bin = tmp_path / 'bin'
        self.bin.mkdir()
        cli = self.bin / 'ironic-multiarch'
        cli.write_text('#!/bin/sh\necho "ironic-multiarch $*" >> %s\n'
                       % self.log)
        cli.chmod(0o755)
        self.env = {
            'PATH': os.environ['PATH'],
            'DEST': '/opt/stack',
            'ENABLED_SERVICES': 'key,glance,ir-api,ir-cond',
            'IRONIC_CONF_FILE': str(self.conf),
            'IRONIC_HW_ARCH': 'x86_64',
            'IRONIC_BIN_DIR': str(self.bin),
            'IRONIC_TFTPBOOT_DIR': str(tmp_path / 'tftpboot'),
            'IRONIC_HTTP_DIR': str(tmp_path / 'httpboot'),
            'IRONIC_MULTIARCH_LOADER_ROOT': str(self.loader_root),
            'IRONIC_MULTIARCH_HOST_ARCH': 'x86_64',
            'FAKE_DEVSTACK_LOG': str(self.log),
            'FAKE_PYTHON': sys.executable,
        }

    def run(self, *phase, **env):
        """Source the plugin as devstack does, for one phase."""
        script = ('set -o errexit -o nounset -o pipefail\n'
                  'source "$FAKE"\nsource "$TOP/devstack/settings"\n'
                  'source "$TOP/devstack/plugin.sh" "$@"\n')
        result = subprocess.run(
            ['bash', '-c', script, 'plugin.sh'] + list(phase),
            env=dict(self.env, FAKE=str(FAKE), TOP=str(TOP), **env),
            capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        return result

    def ini(self):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(self.conf)
        return parser

    def calls(self):
        return self.log.read_text().splitlines()

    def provide(self, *paths):
        """Create loader files under the loader root."""
        for path in paths:
            target = self.loader_root / path.lstrip('/')
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b'loader')

    def loader_paths(self, arch):
        value = self.ini().get('multiarch_%s' % arch, 'loader_paths',
                               fallback='')
        return dict(item.split(':', 1) for item in value.split(',') if item)


@pytest.fixture
def devstack(tmp_path):
    return Devstack(tmp_path)


def _list(ini, option):
    return ini.get('DEFAULT', option).split(',')


def test_install_sets_up_package_and_x86_loaders(devstack):
    devstack.run('stack', 'install')
    assert devstack.calls() == [
        'setup_develop /opt/stack/ironic-multiarch',
        'install_package %s' % X86_PACKAGES]


def test_install_arm64_host_gets_arm64_loaders_only_for_aarch64(devstack):
    devstack.run('stack', 'install', IRONIC_HW_ARCH='aarch64',
                 IRONIC_MULTIARCH_HOST_ARCH='aarch64')
    assert devstack.calls()[1] == ('install_package grub-efi-arm64-signed '
                                   'shim-signed')


def test_install_x86_host_skips_foreign_signed_loaders(devstack):
    devstack.run('stack', 'install', IRONIC_MULTIARCH_ARCHES='aarch64')
    assert devstack.calls()[1] == 'install_package %s' % X86_PACKAGES


def test_install_outside_debian_installs_no_package(devstack):
    devstack.run('stack', 'install', FAKE_IS_UBUNTU='False')
    assert devstack.calls() == ['setup_develop /opt/stack/ironic-multiarch']


def test_post_config_appends_ours_keeps_theirs(devstack):
    devstack.run('stack', 'post-config')
    ini = devstack.ini()
    assert _list(ini, 'enabled_hardware_types') == [
        'ipmi', 'redfish', 'multiarch-ipmi', 'multiarch-redfish']
    assert _list(ini, 'enabled_boot_interfaces') == [
        'ipxe', 'pxe', 'multiarch-pxe', 'multiarch-ipxe']
    assert ini.get('DEFAULT', 'enabled_deploy_interfaces') == 'direct,ramdisk'
    assert ini.get('conductor', 'deploy_kernel') == (
        '0b6a0ac8-4b4d-4a8a-9f3e-3d3c0c8b1e6a')
    assert ini.get('multiarch', 'enabled_architectures') == 'x86_64'
    assert ini.get('multiarch', 'default_arch') == 'x86_64'
    assert ini.get('multiarch', 'global_options_arch') == 'x86_64'
    assert ini.getboolean('multiarch', 'place_loaders') is True


def test_post_config_twice_is_idempotent(devstack):
    devstack.provide(x86_64.X86_64.loader_paths['pxelinux.0'])
    env = {'IRONIC_MULTIARCH_ARCHES': 'aarch64,ppc64le',
           'IRONIC_DEPLOY_KERNEL': '/opt/stack/devstack/files/ipa.kernel'}
    devstack.run('stack', 'post-config', **env)
    first = devstack.conf.read_text()
    devstack.run('stack', 'post-config', **env)
    assert devstack.conf.read_text() == first
    ini = devstack.ini()
    for option in ('enabled_hardware_types', 'enabled_boot_interfaces'):
        values = _list(ini, option)
        assert len(values) == len(set(values)), values


def test_post_config_mirrors_only_enabled_in_tree_types(devstack):
    devstack.conf.write_text(IRONIC_CONF.replace(
        'ipmi,redfish', 'fake-hardware,manual-management'))
    devstack.run('stack', 'post-config')
    assert _list(devstack.ini(), 'enabled_hardware_types') == [
        'fake-hardware', 'manual-management', 'multiarch-manual']


def test_post_config_explicit_types_and_interfaces(devstack):
    devstack.run('stack', 'post-config',
                 IRONIC_MULTIARCH_HARDWARE_TYPES='multiarch-redfish,ipmi',
                 IRONIC_MULTIARCH_BOOT_INTERFACES='multiarch-ipxe')
    ini = devstack.ini()
    assert _list(ini, 'enabled_hardware_types') == [
        'ipmi', 'redfish', 'multiarch-redfish']
    assert _list(ini, 'enabled_boot_interfaces') == [
        'ipxe', 'pxe', 'multiarch-ipxe']


def test_per_arch_groups(devstack):
    devstack.run(
        'stack', 'post-config',
        IRONIC_MULTIARCH_ARCHES='arm64 ppc64le',
        IRONIC_DEPLOY_KERNEL='/opt/stack/devstack/files/ipa.kernel',
        IRONIC_DEPLOY_RAMDISK='http://images.example.com/ipa.initramfs',
        IRONIC_MULTIARCH_AARCH64_DEPLOY_KERNEL='http://x/ipa-aarch64.kernel',
        IRONIC_MULTIARCH_AARCH64_DEPLOY_RAMDISK='/srv/ipa-aarch64.initramfs',
        IRONIC_MULTIARCH_PPC64LE_DEPLOY_KERNEL='c5b1f8e6-1ad5-4c42-9d2b-'
                                               '5f9b3f4a7c10')
    ini = devstack.ini()
    assert ini.get('multiarch', 'enabled_architectures') == (
        'x86_64,aarch64,ppc64le')
    assert dict(ini['multiarch_x86_64']) == dict(
        ini['DEFAULT'],
        deploy_kernel='file:///opt/stack/devstack/files/ipa.kernel',
        deploy_ramdisk='http://images.example.com/ipa.initramfs')
    assert ini.get('multiarch_aarch64', 'deploy_kernel') == (
        'http://x/ipa-aarch64.kernel')
    assert ini.get('multiarch_aarch64', 'deploy_ramdisk') == (
        'file:///srv/ipa-aarch64.initramfs')
    assert ini.get('multiarch_ppc64le', 'deploy_kernel') == (
        'c5b1f8e6-1ad5-4c42-9d2b-5f9b3f4a7c10')
    assert not ini.has_option('multiarch_ppc64le', 'deploy_ramdisk',)


def test_written_config_loads_as_planner_settings(devstack):
    devstack.provide(*aarch64.AArch64.loader_paths.values())
    devstack.run('stack', 'post-config', IRONIC_HW_ARCH='aarch64',
                 IRONIC_MULTIARCH_ARCHES='x86_64,ppc64le',
                 IRONIC_DEPLOY_KERNEL='/opt/stack/ipa-arm64.kernel')
    profiles = loader.installed()
    conf = cfg.ConfigOpts()
    ma_conf.register_opts(conf, profiles)
    conf([], default_config_files=[str(devstack.conf)])
    settings = loading.build_settings(conf, profiles)
    assert settings.enabled == ('aarch64', 'x86_64', 'ppc64le')
    assert settings.default_arch == 'aarch64'
    assert dict(settings.for_arch('aarch64').loader_paths) == {
        name: str(devstack.loader_root) + path
        for name, path in aarch64.AArch64.loader_paths.items()}


def test_hw_arch_aarch64_is_honoured(devstack):
    devstack.run('stack', 'post-config', IRONIC_HW_ARCH='aarch64',
                 IRONIC_MULTIARCH_ARCHES='x86_64',
                 IRONIC_DEPLOY_KERNEL='/opt/stack/ipa-arm64.kernel')
    ini = devstack.ini()
    assert ini.get('multiarch', 'default_arch') == 'aarch64'
    assert ini.get('multiarch', 'global_options_arch') == 'aarch64'
    assert ini.get('multiarch', 'enabled_architectures') == 'aarch64,x86_64'
    assert ini.get('multiarch_aarch64', 'deploy_kernel') == (
        'file:///opt/stack/ipa-arm64.kernel')
    # Ironic's single-arch images never land in another arch's group.
    assert not ini.has_section('multiarch_x86_64') or not ini.has_option(
        'multiarch_x86_64', 'deploy_kernel')


def test_loader_paths_only_for_existing_files(devstack):
    x86 = x86_64.X86_64.loader_paths
    arm = aarch64.AArch64.loader_paths
    devstack.provide(x86['pxelinux.0'], x86['grubx64.efi'],
                     arm['bootaa64.efi'])
    devstack.run('stack', 'post-config',
                 IRONIC_MULTIARCH_ARCHES='aarch64,ppc64le')
    root = str(devstack.loader_root)
    assert devstack.loader_paths('x86_64') == {
        'pxelinux.0': root + x86['pxelinux.0'],
        'grubx64.efi': root + x86['grubx64.efi']}
    assert devstack.loader_paths('aarch64') == {
        'bootaa64.efi': root + arm['bootaa64.efi']}
    assert devstack.loader_paths('ppc64le') == {}


def test_no_loader_present_writes_no_loader_paths(devstack):
    devstack.run('stack', 'post-config')
    assert not devstack.ini().has_option('multiarch_x86_64', 'loader_paths')


@pytest.mark.parametrize('profile', [x86_64.X86_64, aarch64.AArch64])
def test_loader_table_matches_profile(devstack, profile):
    result = subprocess.run(
        ['bash', '-c', 'source "$1"; source "$2"; '
         '_multiarch_debian_loaders %s' % profile.name, 'sh', str(FAKE),
         str(TOP / 'devstack' / 'plugin.sh')],
        env=dict(devstack.env, ENABLED_SERVICES=''), capture_output=True,
        text=True, check=True)
    table = dict(line.split(':', 1) for line in result.stdout.split())
    assert table == dict(profile.loader_paths)


def test_extra_runs_doctor_on_ironic_conf(devstack):
    devstack.run('stack', 'extra')
    assert devstack.calls() == [
        'ironic-multiarch doctor --config-file %s' % devstack.conf]


def test_extra_doctor_failure_is_a_warning(devstack):
    (devstack.bin / 'ironic-multiarch').write_text('#!/bin/sh\nexit 1\n')
    result = devstack.run('stack', 'extra')
    assert 'WARNING: ironic-multiarch doctor' in result.stdout


def test_unstack_and_clean_touch_only_the_loader_dirs(devstack):
    tftp = devstack.tmp / 'tftpboot'
    for root in (tftp, devstack.tmp / 'httpboot'):
        (root / 'multiarch' / 'x86_64').mkdir(parents=True)
        (root / 'multiarch' / 'x86_64' / 'pxelinux.0').write_text('x')
    (tftp / 'pxelinux.0').write_text('ironic')
    before = devstack.conf.read_text()
    devstack.run('unstack')
    assert (tftp / 'multiarch').is_dir()
    devstack.run('clean')
    assert not (tftp / 'multiarch').exists()
    assert not (devstack.tmp / 'httpboot' / 'multiarch').exists()
    assert (tftp / 'pxelinux.0').read_text() == 'ironic'
    assert devstack.conf.read_text() == before
    assert devstack.calls() == []


def test_nothing_happens_without_a_conductor(devstack):
    for phase in (('stack', 'install'), ('stack', 'post-config'),
                  ('stack', 'extra'), ('clean',)):
        devstack.run(*phase, ENABLED_SERVICES='key,ir-api')
    assert devstack.conf.read_text() == IRONIC_CONF
    assert devstack.calls() == []
