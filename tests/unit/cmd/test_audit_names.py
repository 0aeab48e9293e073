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

"""``audit``: cpu_arch names, Ironic's ``*_by_arch`` keys, inventories."""

import io
import json

import pytest

from ironic_multiarch.cmd import audit
from ironic_multiarch.cmd import audit_names
from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import main
from tests.unit.cmd.conftest import BASE_CONF
from tests.unit.cmd.test_audit import U
from tests.unit.cmd.test_audit import codes
from tests.unit.cmd.test_audit import node
from tests.unit.cmd.test_audit import run

KNOWN = ['x86_64', 'aarch64', 'ppc64le']
ALIASES = {'amd64': 'x86_64', 'arm64': 'aarch64', 'ppc64el': 'ppc64le'}


def test_alias_cpu_arch_flagged_whatever_the_interface(ctx):
    report = run(ctx, [node(1, 'arm64'), node(2, 'AMD64', interface='pxe'),
                       node(3, 'aarch64')])
    assert codes(report) == {('n1', audit.ALIAS_CPU_ARCH),
                             ('n2', audit.ALIAS_CPU_ARCH),
                             ('n2', audit.NOT_MULTIARCH)}
    assert report.problems[0].message == (
        'Node n1 (cpu_arch arm64): arm64 is an alias of aarch64. The '
        'planner accepts it, but Ironic compares cpu_arch as it is (the '
        '[conductor] and [pxe] *_by_arch options, the stock boot '
        'interfaces): set the canonical name, openstack baremetal node set '
        '--property cpu_arch=aarch64 n1.')
    assert report.summary[('aarch64', 'uefi', 'multiarch-pxe')] == [2, 1]


def test_canonical_names_are_not_flagged(ctx):
    nodes = [node(1), node(2, 'aarch64'), node(3, 'ppc64le',
                                              interface='fake')]
    assert run(ctx, nodes).problems == []


def test_by_arch_keys_nobody_matches():
    tables = {
        '[conductor]deploy_kernel_by_arch': {
            'x86_64': 'k1', 'arm64': 'k2', 'ppc64le': 'k3',
            'riscv64': 'k4'},
        '[pxe]pxe_bootfile_name_by_arch': {
            'x86_64-bios': 'pxelinux.0', 'aarch64-uefi': 'grubaa64.efi',
            'arm64-uefi': 'bootaa64.efi'},
        '[pxe]ipxe_bootfile_name_by_arch': {},
    }
    raw = {'x86_64': ['n1'], 'aarch64': ['n2', 'n3'], 'ppc64el': ['n4']}
    problems = audit.by_arch_problems(tables, raw, KNOWN, ALIASES)
    assert [(p.node, p.name, p.code) for p in problems] == [
        (None, None, audit.UNMATCHED_BY_ARCH)] * 4
    assert [p.message for p in problems] == [
        "[conductor]deploy_kernel_by_arch has the key arm64, but no node "
        "has cpu_arch arm64, so Ironic's own lookups never match it. The "
        "nodes are aarch64: rename the key to aarch64.",
        "[conductor]deploy_kernel_by_arch has the key ppc64le, but no node "
        "has cpu_arch ppc64le, so Ironic's own lookups never match it. "
        "Nodes n4 have cpu_arch ppc64el, aliases of ppc64le: set their "
        "cpu_arch to ppc64le (openstack baremetal node set --property "
        "cpu_arch=ppc64le NODE), and the key matches them.",
        "[conductor]deploy_kernel_by_arch has the key riscv64, but no node "
        "has cpu_arch riscv64, so Ironic's own lookups never match it. "
        "Remove it, or fix the key to the cpu_arch of the nodes it is "
        "meant for (in this fleet: aarch64, ppc64el, x86_64).",
        "[pxe]pxe_bootfile_name_by_arch has the key arm64-uefi, but no "
        "node has cpu_arch arm64, so Ironic's own lookups never match it. "
        "The nodes are aarch64: rename the key to aarch64-uefi.",
    ]


def test_composite_keys_split_on_the_boot_mode_only():
    assert audit_names.split_key('x86-64-uefi') == ('x86-64', '-uefi')
    assert audit_names.split_key('aarch64-bios') == ('aarch64', '-bios')
    assert audit_names.split_key('x86-64') == ('x86-64', '')
    assert audit_names.split_key('-uefi') == ('-uefi', '')


def test_by_arch_keys_with_an_empty_fleet():
    problems = audit.by_arch_problems(
        {'[conductor]bootloader_by_arch': {'aarch64': 'file:///esp.img'}},
        {}, KNOWN, ALIASES)
    assert [p.message for p in problems] == [
        "[conductor]bootloader_by_arch has the key aarch64, but no node "
        "has cpu_arch aarch64, so Ironic's own lookups never match it. "
        "Remove it, or fix the key to the cpu_arch of the nodes it is "
        "meant for (in this fleet: no nodes)."]


class FakeResponse(object):

    def __init__(self, status_code, body):
        self.status_code = status_code
        self.body = body
        self.text = json.dumps(body)

    def json(self):
        return self.body


class FakeBaremetal(object):
    """One page of nodes, inventories per node; records the requests."""

    def __init__(self, nodes, inventories, max_version=(1, 99)):
        self.nodes = nodes
        self.inventories = inventories
        self.max_version = max_version
        self.calls = []

    def get_endpoint_data(self):
        return type('D', (), {'max_microversion': self.max_version})()

    def get(self, url, params=None, microversion=None, raise_exc=True):
        self.calls.append((url, microversion))
        if url == '/nodes':
            return FakeResponse(200, {'nodes': self.nodes})
        uuid = url.split('/')[2]
        if uuid not in self.inventories:
            return FakeResponse(404, {'error_message': json.dumps(
                {'faultstring': 'no inventory'})})
        return FakeResponse(200, {'inventory': self.inventories[uuid],
                                  'plugin_data': {}})


def args(conf, check_inventory, fmt='json'):
    return type('A', (), {'page_size': 1000, 'check_files': False,
                          'check_ports': False, 'config_file': [conf],
                          'format': fmt,
                          'check_inventory': check_inventory})()


def cpu(architecture):
    return {'cpu': {'architecture': architecture, 'count': 8}}


def test_inventory_compared_only_when_asked(conf_file):
    nodes = [node(1), node(2, 'aarch64'), node(3, 'arm64'),
             node(4, 'ppc64le')]
    inventories = {U % 1: cpu('aarch64'), U % 2: cpu('aarch64'),
                   U % 3: cpu('aarch64')}
    api = FakeBaremetal(nodes, inventories)
    conn = type('C', (), {'baremetal': api})()
    out = io.StringIO()
    assert audit.run(args(conf_file, False), lambda: conn, out,
                     io.StringIO()) == common.EXIT_PROBLEMS
    assert [c[0] for c in api.calls] == ['/nodes']
    assert {p['code'] for p in json.loads(out.getvalue())['problems']} == {
        audit.ALIAS_CPU_ARCH, audit.NO_IMAGES}

    api.calls.clear()
    out = io.StringIO()
    assert audit.run(args(conf_file, True), lambda: conn, out,
                     io.StringIO()) == common.EXIT_PROBLEMS
    assert api.calls == [('/nodes', '1.75')] + [
        ('/nodes/%s/inventory' % (U % i), '1.81') for i in (1, 2, 3, 4)]
    data = json.loads(out.getvalue())
    assert [p for p in data['problems']
            if p['code'] == audit.INVENTORY_DISAGREES] == [{
                'node': U % 1, 'name': 'n1',
                'code': audit.INVENTORY_DISAGREES,
                'message':
                    'Node n1 (cpu_arch x86_64): its inspection inventory '
                    'reports CPU architecture aarch64, so one of them is '
                    'wrong. If the inventory is right, openstack baremetal '
                    'node set --property cpu_arch=aarch64 n1; if cpu_arch '
                    'is right, the inventory came from another machine: '
                    "check the node's ports and BMC address and inspect it "
                    'again (openstack baremetal node inspect n1).'}]
    assert data['notes'] == [
        'inspection inventory compared for 3 nodes; 1 have no stored '
        'inventory (never inspected, or the inspection data is not kept)']


def test_inventory_with_an_alias_or_nothing_agrees(ctx):
    inventories = {U % 1: cpu('amd64'), U % 2: cpu(''), U % 3: {}}
    report = run(ctx, [node(1), node(2), node(3)],
                 inventory=inventories.get)
    assert report.problems == []
    assert report.notes == [
        'inspection inventory compared for 3 nodes; 0 have no stored '
        'inventory (never inspected, or the inspection data is not kept)']


def test_inventory_on_an_old_api_is_a_usage_error(conf_file):
    api = FakeBaremetal([node(1)], {}, max_version=(1, 80))
    conn = type('C', (), {'baremetal': api})()
    with pytest.raises(common.UsageError) as exc:
        audit.run(args(conf_file, True), lambda: conn, io.StringIO(),
                  io.StringIO())
    assert str(exc.value) == (
        '--check-inventory needs the node inventory API (microversion '
        '1.81); this Bare Metal API goes up to 1.80. Leave the option out.')
    assert api.calls == []


def test_by_arch_keys_read_from_ironic_conf(tmp_path):
    path = tmp_path / 'ironic.conf'
    path.write_text(BASE_CONF.format(root=tmp_path).replace(
        '[pxe]\n',
        '[pxe]\npxe_bootfile_name_by_arch = aarch64-uefi:grubaa64.efi,'
        'x86_64:pxelinux.0\n'
        'pxe_config_template_by_arch = arm64:/etc/ironic/grub.tmpl\n'
        '[conductor]\nbootloader_by_arch = aarch64:file:///esp-arm.img\n'))
    api = FakeBaremetal([node(1)], {})
    conn = type('C', (), {'baremetal': api})()
    out = io.StringIO()
    assert audit.run(args(str(path), False, 'table'), lambda: conn, out,
                     io.StringIO()) == common.EXIT_PROBLEMS
    tail = ("Ironic's own lookups never match it. Remove it, or fix the "
            "key to the cpu_arch of the nodes it is meant for (in this "
            "fleet: x86_64).")
    messages = [
        '[conductor]bootloader_by_arch has the key aarch64, but no node '
        'has cpu_arch aarch64, so ' + tail,
        '[pxe]pxe_bootfile_name_by_arch has the key aarch64-uefi, but no '
        'node has cpu_arch aarch64, so ' + tail,
        '[pxe]pxe_config_template_by_arch has the key arm64, but no node '
        'has cpu_arch arm64, so ' + tail]
    width = max(len(m) for m in messages)
    assert out.getvalue().splitlines()[4:] == [
        '1 nodes, 0 ports, 3 problems',
        '',
        'NODE           PROBLEM                DETAILS',
        '-------------  ---------------------  ' + '-' * width,
    ] + ['(ironic.conf)  unmatched-by-arch-key  ' + m for m in messages]


def test_help_says_inventory_costs_a_request_per_node():
    parser = main.build_parser(['audit'])
    action = next(a for sub in parser._subparsers._group_actions
                  for name, p in sub.choices.items() if name == 'audit'
                  for a in p._actions if '--check-inventory'
                  in a.option_strings)
    assert action.help == (
        "Also compare the CPU architecture of each node's inspection "
        'inventory with its cpu_arch (GET /v1/nodes/NODE/inventory: one '
        'request per node, so slow on a large fleet; needs API '
        'microversion 1.81).')
