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

"""ppc64le Open Firmware (SLOF, PowerVM): GRUB core.elf, GRUB config."""

from oslo_config import cfg
import pytest

from ironic_multiarch import conf as conf_mod
from ironic_multiarch.conf import loading
from ironic_multiarch import exception
from ironic_multiarch import plan as plan_mod
from ironic_multiarch.profiles import aarch64
from ironic_multiarch.profiles import ppc64le
from ironic_multiarch.profiles import x86_64

UUID = '5f0c2d4e-8a71-4b4c-9d0e-2a6f3c1b7e90'
PROFILES = {'x86_64': x86_64.X86_64(), 'aarch64': aarch64.AArch64(),
            'ppc64le': ppc64le.Ppc64le()}
CONFIG = (
    'set default=deploy\n'
    'set timeout=5\n'
    'set hidden_timeout_quiet=false\n'
    '\n'
    'menuentry "deploy" {\n'
    '    linux /5f0c2d4e-8a71-4b4c-9d0e-2a6f3c1b7e90/deploy_kernel '
    'selinux=0 troubleshoot=0 text console=hvc0 '
    'ipa-api-url=http://192.0.2.10:6385 boot_server=192.0.2.10 '
    'BOOTIF=${net_default_mac}\n'
    '    initrd /5f0c2d4e-8a71-4b4c-9d0e-2a6f3c1b7e90/deploy_ramdisk\n'
    '}\n')


def _settings(**group):
    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf, sorted(PROFILES))
    conf([], project='ironic-multiarch-test', default_config_files=[])
    group.setdefault('deploy_kernel', 'http://images.example.com/k')
    group.setdefault('deploy_ramdisk', 'http://images.example.com/r')
    for name, value in group.items():
        conf.set_override(name, value, group='multiarch_ppc64le')
    return loading.build_settings(conf, PROFILES, tftp_server='192.0.2.10',
                                  http_url='http://192.0.2.10:8080')


def _plan(settings, boot_mode='bios'):
    facts = plan_mod.NodeFacts(
        uuid=UUID, cpu_arch='ppc64le', boot_mode=boot_mode,
        ports=(plan_mod.Port('52:54:00:ab:cd:01'),),
        extra_kernel_params=('ipa-api-url=http://192.0.2.10:6385',))
    return plan_mod.plan(facts, settings, PROFILES)


def test_petitboot_stays_the_default():
    plan = _plan(_settings())
    assert (plan.method, plan.config_format, plan.bootfile) == (
        'opal', 'petitboot', None)


@pytest.mark.parametrize('boot_mode', ['uefi', 'bios'])
def test_of_method_plan(boot_mode):
    plan = _plan(_settings(boot_method='of'), boot_mode)
    assert plan.method == 'of'
    assert plan.firmware == 'Open Firmware'
    assert plan.loader.value == 'grub'
    assert plan.bootfile == 'multiarch/ppc64le/core.elf'
    assert plan.config_format == 'grub'
    assert plan.config_text == CONFIG
    assert plan.links == ('grub.cfg-01-52-54-00-ab-cd-01',
                          '52:54:00:ab:cd:01.conf')
    assert [dict(o) for o in plan.dhcp_options] == [
        {'opt_name': '67', 'opt_value': 'multiarch/ppc64le/core.elf',
         'ip_version': 4},
        {'opt_name': '66', 'opt_value': '192.0.2.10', 'ip_version': 4},
        {'opt_name': '150', 'opt_value': '192.0.2.10', 'ip_version': 4},
        {'opt_name': '255', 'opt_value': '192.0.2.10', 'ip_version': 4},
        {'opt_name': '59',
         'opt_value': 'tftp://192.0.2.10/multiarch/ppc64le/core.elf',
         'ip_version': 6}]


def test_of_loader_has_no_default_host_file():
    # Debian's grub-ieee1275-bin ships modules, not a network image.
    plan = _plan(_settings(boot_method='of'))
    assert [(f.name, f.path, f.source) for f in plan.loader_files] == [
        ('core.elf', 'multiarch/ppc64le/core.elf', None)]
    plan = _plan(_settings(boot_method='of',
                           loader_paths={'core.elf': '/srv/core.elf'}))
    assert plan.loader_files[0].source.value == '/srv/core.elf'
    assert plan.loader_files[0].source.source == (
        '[multiarch_ppc64le]loader_paths[core.elf]')


def test_of_is_in_the_inventory_only_when_chosen():
    names = [f.path for f in plan_mod.loader_inventory(_settings(),
                                                       PROFILES)]
    assert 'multiarch/ppc64le/core.elf' not in names
    names = [f.path for f in plan_mod.loader_inventory(
        _settings(boot_method='of'), PROFILES)]
    assert 'multiarch/ppc64le/core.elf' in names


def test_unknown_boot_method_is_refused():
    with pytest.raises(exception.ConfigError) as err:
        _settings(boot_method='ofw')
    assert str(err.value) == (
        "[multiarch_ppc64le]boot_method: no boot method 'ofw'; ppc64le "
        "has: opal, of. Example: of")
