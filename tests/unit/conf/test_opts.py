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

"""Tests of option registration and :func:`conf.opts.list_opts`."""

import pytest
from oslo_config import cfg

from ironic_multiarch import conf as conf_mod
from ironic_multiarch.conf import arch_group
from ironic_multiarch.conf import multiarch
from ironic_multiarch.conf import opts

GROUP_OPTS = ['deploy_kernel', 'deploy_ramdisk', 'rescue_kernel',
              'rescue_ramdisk', 'kernel_append_params', 'console',
              'boot_method', 'loaders', 'loader_paths', 'config_templates']


def test_list_opts_has_one_group_per_installed_profile():
    listed = opts.list_opts()
    assert [g for g, _ in listed][:1] == ['multiarch']
    groups = dict(listed)
    for name in ('x86_64', 'aarch64', 'ppc64le'):
        assert [o.name for o in groups['multiarch_' + name]] == GROUP_OPTS
    assert groups['multiarch'] is multiarch.opts


def test_arch_group_help_names_the_arch():
    help_text = {o.name: o.help for o in arch_group.opts('aarch64')}
    assert 'aarch64 nodes' in help_text['deploy_kernel']
    assert 'Example: http://images.example.com/ipa-aarch64.kernel' in (
        help_text['deploy_kernel'])
    assert '<root>/<loader_dir>/aarch64/' in help_text['loader_paths']


def test_register_opts():
    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf, ['aarch64'])
    conf([], project='x', default_config_files=[])
    assert conf.multiarch.enabled_architectures == ['x86_64', 'aarch64',
                                                    'ppc64le']
    assert conf.multiarch.global_options_arch is None
    assert conf.multiarch_aarch64.loaders == {}
    with pytest.raises(cfg.NoSuchOptError):
        conf.multiarch_x86_64  # noqa: B018
    assert arch_group.group_name('s390x') == 'multiarch_s390x'


def test_menu_timeout_bounds():
    conf = cfg.ConfigOpts()
    multiarch.register_opts(conf)
    with pytest.raises(ValueError):
        conf.set_override('menu_timeout', 601, group='multiarch')
