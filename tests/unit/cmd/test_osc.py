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

"""The OSC plugin: thin wrappers declared as entry points."""

import importlib.metadata

import pytest

pytest.importorskip('osc_lib')

from ironic_multiarch.cmd import main  # noqa: E402
from ironic_multiarch.cmd import osc  # noqa: E402


def test_entry_points_declared():
    eps = importlib.metadata.entry_points()
    ext = {e.name: e.value for e in eps.select(
        group='openstack.cli.extension')}
    assert ext['baremetal_multiarch'] == 'ironic_multiarch.cmd.osc'
    cmds = {e.name: e.load() for e in eps.select(
        group='openstack.baremetal_multiarch.v1')}
    assert set(cmds) == {'baremetal_multiarch_%s' % n for n in main.COMMANDS}


@pytest.mark.parametrize('cls,name', [(osc.Plan, 'plan'),
                                      (osc.Audit, 'audit'),
                                      (osc.Dnsmasq, 'dnsmasq'),
                                      (osc.Doctor, 'doctor')])
def test_command_parses_like_the_console_script(cls, name, mocker):
    cmd = cls(mocker.Mock(), None)
    parser = cmd.get_parser('openstack baremetal multiarch %s' % name)
    args = parser.parse_args(['--config-file', '/etc/ironic/ironic.conf'])
    assert args.config_file == ['/etc/ironic/ironic.conf']
    assert cmd.auth_required is False


def test_take_action_runs_the_shared_function(mocker):
    run = mocker.patch.object(main, 'run_command', autospec=True,
                              return_value=1)
    cmd = osc.Audit(mocker.Mock(), None)
    args = cmd.get_parser('x').parse_args([])
    assert cmd.take_action(args) == 1
    assert run.call_args[0][:2] == ('audit', args)


def test_plugin_module_contract():
    assert osc.API_VERSIONS == {'1': 'ironic_multiarch.cmd.osc'}
    parser = __import__('argparse').ArgumentParser()
    osc.build_option_parser(parser)
    assert parser.parse_args([]).os_baremetal_multiarch_api_version == '1'
