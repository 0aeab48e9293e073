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

"""Tests of :mod:`ironic_multiarch.facts`: node fields to planner facts."""

import json

import pytest

from ironic_multiarch import facts
from ironic_multiarch import plan
from tests.unit import fakes


@pytest.mark.parametrize('value,expected', [
    ('boot_mode:bios,secure_boot:true',
     {'boot_mode': 'bios', 'secure_boot': 'true'}),
    (' boot_mode : uefi , x:1 ', {'boot_mode': 'uefi', 'x': '1'}),
    ('novalue,:orphan,k:v', {'k': 'v'}),
    ('', {}), (None, {}),
    ({'boot_mode': 'bios'}, {'boot_mode': 'bios'}),
])
def test_parse_capabilities(value, expected):
    assert facts.parse_capabilities(value) == expected


def test_parse_capabilities_copies_dict():
    given = {'boot_mode': 'bios'}
    parsed = facts.parse_capabilities(given)
    parsed['x'] = 1
    assert given == {'boot_mode': 'bios'}


def _mode(props_caps=None, inst_caps=None, deploy_boot_mode=None,
          internal=None, default='uefi'):
    properties = {'capabilities': props_caps} if props_caps else {}
    instance_info = {}
    if inst_caps is not None:
        instance_info['capabilities'] = inst_caps
    if deploy_boot_mode:
        instance_info['deploy_boot_mode'] = deploy_boot_mode
    dii = {'deploy_boot_mode': internal} if internal else None
    return facts.boot_mode(properties, instance_info, dii, default)


def test_boot_mode_default():
    assert _mode() == 'uefi'
    assert _mode(default='bios') == 'bios'
    assert facts.boot_mode(None, None) == 'uefi'


def test_boot_mode_order_follows_ironic():
    """instance caps > instance deploy_boot_mode > node caps > internal."""
    assert _mode('boot_mode:bios', {'boot_mode': 'uefi'}, 'bios',
                 'bios', default='bios') == 'uefi'
    assert _mode('boot_mode:bios', {}, 'uefi', 'bios', 'bios') == 'uefi'
    assert _mode('boot_mode:uefi', {}, None, 'bios', 'bios') == 'uefi'
    assert _mode(None, {}, None, 'uefi', 'bios') == 'uefi'
    assert _mode('boot_mode:BIOS') == 'bios'


def test_secure_boot_forces_uefi_only_when_requested_by_instance():
    assert _mode('boot_mode:bios', {'secure_boot': 'true',
                                    'boot_mode': 'bios'}) == 'uefi'
    assert _mode('boot_mode:bios', 'secure_boot:True') == 'uefi'
    # the node's capability says it *can* secure boot; it asks nothing
    assert _mode('boot_mode:bios,secure_boot:true', {}) == 'bios'
    assert _mode('boot_mode:bios', {'secure_boot': 'false'}) == 'bios'


def test_instance_capabilities_as_json_string_from_nova():
    assert _mode('boot_mode:uefi',
                 json.dumps({'boot_mode': 'bios'})) == 'bios'
    assert _mode('boot_mode:bios',
                 json.dumps({'secure_boot': 'true'})) == 'uefi'
    assert _mode('boot_mode:bios', '{not json') == 'bios'


def test_pxe_ports_filter_and_order():
    ports = [
        {'address': '52:54:00:FF:00:02', 'pxe_enabled': True},
        {'address': '52:54:00:00:00:09', 'pxe_enabled': False},
        {'address': '52:54:00:00:00:01'},
        {'address': '52:54:00:aa:00:01', 'pxe_enabled': None,
         'extra': {'client-id': 'ff:00:00:00:00:00:02:00'}},
    ]
    assert facts.pxe_ports(ports) == (
        plan.Port('52:54:00:00:00:01'),
        plan.Port('52:54:00:aa:00:01', 'ff:00:00:00:00:00:02:00'),
        plan.Port('52:54:00:ff:00:02'))
    assert facts.pxe_ports(reversed(ports)) == facts.pxe_ports(ports)
    assert facts.pxe_ports([]) == ()


NODE = {
    'uuid': fakes.UUID, 'name': 'node-1',
    'properties': {'cpu_arch': 'arm64',
                   'capabilities': 'boot_mode:uefi'},
    'driver_info': {'deploy_kernel': 'http://k', 'deploy_ramdisk': '',
                    'ipmi_password': 'secret',
                    'kernel_append_params': 'quiet'},
    'instance_info': {'kernel': 'http://ik', 'ramdisk': None,
                      'image_source': 'glance'},
    'boot_interface': 'multiarch-pxe',
}


def test_node_facts():
    result = facts.node_facts(NODE, [{'address': fakes.MAC.upper()}],
                              mode='rescue', extra_kernel_params=['a=1'])
    assert result == plan.NodeFacts(
        uuid=fakes.UUID, name='node-1', cpu_arch='arm64', boot_mode='uefi',
        ports=(plan.Port(fakes.MAC),), mode='rescue',
        driver_info={'deploy_kernel': 'http://k',
                     'kernel_append_params': 'quiet'},
        instance_info={'kernel': 'http://ik'}, ipxe=False,
        extra_kernel_params=('a=1',))


@pytest.mark.parametrize('iface,expected', [
    ('multiarch-ipxe', True), ('ipxe', True), ('multiarch-pxe', False),
    ('pxe', False), (None, False)])
def test_node_facts_ipxe_flag(iface, expected):
    node = dict(NODE, boot_interface=iface)
    assert facts.node_facts(node, []).ipxe is expected


def test_node_facts_boot_mode_sources():
    node = dict(NODE, properties={'cpu_arch': 'x86_64'})
    assert facts.node_facts(node, []).boot_mode == 'uefi'
    assert facts.node_facts(node, [], default_boot_mode='bios').boot_mode == (
        'bios')
    assert facts.node_facts(dict(node, driver_internal_info={
        'deploy_boot_mode': 'bios'}), []).boot_mode == 'bios'
    assert facts.node_facts(NODE, [], default_boot_mode='bios',
                            resolved_boot_mode='bios').boot_mode == 'bios'


def test_node_facts_plan_end_to_end():
    node = dict(NODE, driver_info={}, boot_interface='ipxe')
    result = plan.plan(facts.node_facts(node, [{'address': fakes.MAC}]),
                       fakes.make_settings(), fakes.profiles())
    assert (result.arch, result.loader.value) == ('aarch64', 'ipxe')


def test_node_facts_empty_node():
    result = facts.node_facts({'uuid': fakes.UUID}, [])
    assert (result.cpu_arch, result.boot_mode, result.driver_info,
            result.ipxe) == (None, 'uefi', {}, False)


def test_ramdisk_kernel_params():
    # Ironic's build_extra_pxe_options: '%s=%s' per item, a bare key for
    # None, in the dict's order; ipa-debug is the planner's business.
    assert facts.ramdisk_kernel_params(
        {'ipa-api-url': 'http://a', 'ipa-debug': '1', 'flag': None}) == (
        'ipa-api-url=http://a', 'ipa-debug=1', 'flag')
    assert facts.ramdisk_kernel_params(None) == ()


def test_agent_kernel_params():
    assert facts.agent_kernel_params('http://a:6385') == (
        'ipa-api-url=http://a:6385',)
    assert facts.agent_kernel_params(None) == ()


def test_node_facts_carry_instance_kernel_arguments():
    node = dict(NODE, instance_info={
        'kernel': 'http://ik', 'ramdisk': 'http://ir',
        'kernel_append_params': '%default% quiet',
        'ramdisk_kernel_arguments': 'ip=dhcp', 'image_source': 'glance'})
    result = facts.node_facts(node, [], mode='instance')
    assert dict(result.instance_info) == {
        'kernel': 'http://ik', 'ramdisk': 'http://ir',
        'kernel_append_params': '%default% quiet',
        'ramdisk_kernel_arguments': 'ip=dhcp'}


def test_node_facts_empty_kernel_append_params_is_a_value():
    # Ironic's get_kernel_append_params tests "is not None": '' means
    # no arguments, not "use the default".
    node = dict(NODE, driver_info={'kernel_append_params': '',
                                   'deploy_kernel': ''},
                instance_info={'kernel_append_params': None})
    result = facts.node_facts(node, [])
    assert dict(result.driver_info) == {'kernel_append_params': ''}
    assert dict(result.instance_info) == {}


def test_node_facts_global_request_id():
    assert facts.node_facts(NODE, []).global_request_id is None
    assert facts.node_facts(NODE, [], global_request_id='').global_request_id \
        is None
    assert facts.node_facts(
        NODE, [], global_request_id='req-0d5c7d2e-3c4b-4c36-9a52-'
        'cf0a4c8a3a11').global_request_id == (
        'req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11')
