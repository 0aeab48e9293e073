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

"""``plan``: offline facts, the table, JSON and the config text."""

import argparse
import io
import json

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import plan as plan_cmd
from ironic_multiarch import facts as facts_mod
from ironic_multiarch import plan as planner

MAC = '52:54:00:12:34:56'
UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'


def args(**kw):
    parser = argparse.ArgumentParser()
    plan_cmd.add_arguments(parser)
    ns = parser.parse_args([])
    for key, value in kw.items():
        setattr(ns, key, value)
    return ns


def test_offline_uuid_is_stable_and_from_the_macs():
    one, _ = plan_cmd.offline_node(args(arch='x86_64', mac=[MAC]), 'uefi')
    two, _ = plan_cmd.offline_node(args(arch='x86_64', mac=[MAC.upper()]),
                                   'uefi')
    other, _ = plan_cmd.offline_node(
        args(arch='x86_64', mac=['52:54:00:12:34:57']), 'uefi')
    assert one['uuid'] == two['uuid'] != other['uuid']


def test_offline_node_fields():
    node, ports = plan_cmd.offline_node(
        args(arch='aarch64', mac=[MAC], uuid=UUID, name='n1',
             interface='multiarch-ipxe',
             driver_info=['deploy_kernel=http://x/k']), 'bios')
    assert node['uuid'] == UUID and node['name'] == 'n1'
    assert node['properties'] == {'cpu_arch': 'aarch64',
                                  'capabilities': 'boot_mode:bios'}
    assert node['driver_info'] == {'deploy_kernel': 'http://x/k'}
    assert ports == [{'address': MAC, 'pxe_enabled': True, 'extra': {}}]


def test_plan_equals_the_planner_with_conductor_params(ctx):
    node, ports = plan_cmd.offline_node(
        args(arch='x86_64', mac=[MAC], uuid=UUID), 'uefi')
    bp, arch = plan_cmd.make_plan(ctx, node, ports, planner.DEPLOY)
    facts = facts_mod.node_facts(
        node, ports, extra_kernel_params=(
            'ipa-api-url=http://192.0.2.1:6385',))
    assert bp == planner.plan(facts, ctx.settings, ctx.profiles)
    assert arch.source == 'node properties/cpu_arch'


def test_instance_mode_adds_no_agent_params(ctx):
    node, ports = plan_cmd.offline_node(
        args(arch='x86_64', mac=[MAC], uuid=UUID), 'uefi')
    node['instance_info'] = {'kernel': 'http://x/k', 'ramdisk': 'http://x/r'}
    bp, _ = plan_cmd.make_plan(ctx, node, ports, planner.INSTANCE)
    assert 'ipa-api-url' not in bp.config_text


def test_config_only_is_exactly_the_config_text(ctx):
    out = io.StringIO()
    status = plan_cmd.run(args(arch='x86_64', mac=[MAC], uuid=UUID,
                               config_only=True,
                               config_file=ctx.files), None, out)
    assert status == common.EXIT_OK
    node, ports = plan_cmd.offline_node(
        args(arch='x86_64', mac=[MAC], uuid=UUID), 'uefi')
    bp, _ = plan_cmd.make_plan(ctx, node, ports)
    assert out.getvalue() == bp.config_text


def test_json_carries_config_text_and_provenance(ctx):
    out = io.StringIO()
    plan_cmd.run(args(arch='aarch64', mac=[MAC], uuid=UUID, format='json',
                      config_file=ctx.files), None, out)
    data = json.loads(out.getvalue())
    assert data['node'] == UUID and data['arch'] == 'aarch64'
    assert data['config_text'].startswith('set default=deploy')
    assert data['kernel'] == {
        'value': 'http://images.example.com/arm.kernel',
        'source': '[multiarch_aarch64]deploy_kernel',
        'level': 'multiarch group'}
    assert data['arch_source'] == 'node properties/cpu_arch'


def test_table_shows_values_and_sources(ctx):
    out = io.StringIO()
    plan_cmd.run(args(arch='x86_64', boot_mode='bios', mac=[MAC], uuid=UUID,
                      show_config=True, config_file=ctx.files), None, out)
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0].split() == ['FIELD', 'VALUE', 'SOURCE']
    loader = [line for line in lines if line.startswith('loader ')][0]
    assert loader.split() == ['loader', 'pxelinux', 'profile', 'x86_64']
    assert 'pxelinux.cfg/01-52-54-00-12-34-56' in text
    assert text.endswith('# tftp:%s/config\n' % UUID + _bios_text(ctx))


def _bios_text(ctx):
    node, ports = plan_cmd.offline_node(
        args(arch='x86_64', boot_mode='bios', mac=[MAC], uuid=UUID), 'uefi')
    return plan_cmd.make_plan(ctx, node, ports)[0].config_text


class FakeConn(object):
    """Answers the two requests ``plan NODE`` makes."""

    def __init__(self, node, ports):
        self.node, self.ports, self.calls = node, ports, []

        conn = self

        class Adapter(object):
            def get(self, url, params=None, microversion=None,
                    raise_exc=True):
                conn.calls.append((url, params, microversion))
                body = conn.node if url.startswith('/nodes/') else {
                    'ports': conn.ports}
                return type('R', (), {'status_code': 200,
                                      'json': lambda self: body})()

            def get_endpoint_data(self):
                return None

        self.baremetal = Adapter()


def test_plan_node_fetches_node_and_ports_with_fields(ctx):
    node = {'uuid': UUID, 'name': 'n1', 'boot_interface': 'multiarch-pxe',
            'properties': {'cpu_arch': 'x86_64'}, 'driver_info': {},
            'instance_info': {}, 'boot_mode': None}
    conn = FakeConn(node, [{'address': MAC, 'pxe_enabled': True,
                            'extra': {}, 'node_uuid': UUID}])
    out = io.StringIO()
    status = plan_cmd.run(args(node='n1', config_only=True,
                               config_file=ctx.files), lambda: conn, out)
    assert status == common.EXIT_OK
    assert [c[0] for c in conn.calls] == ['/nodes/n1', '/ports']
    assert conn.calls[0][1]['fields'].split(',') == list(
        plan_cmd.NODE_FIELDS)
    assert conn.calls[1][1]['node_uuid'] == UUID
    assert 'grub.cfg' not in out.getvalue()
    assert '/%s/deploy_kernel' % UUID in out.getvalue()
