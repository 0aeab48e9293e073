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

"""Conductor groups, in both shapes, on a deployment of their own.

(a) Sharding by architecture: ``arm-1`` (group ``arm``) serves aarch64
only and ``x86-1`` (group ``x86``) x86_64 only, through
``[multiarch]enabled_architectures``; nodes carry ``conductor_group``.
(b) One group (``all``: ``all-1`` and ``all-2``) serves every
architecture, its hash ring spreading them over both.

``ironic-multiarch audit`` summarises readiness per conductor group, and
with ``--conductor-group`` audits one shard against its own
configuration.
"""

import io
import json

import pytest

from ironic_multiarch.cmd import main
from multiarch_lab import demo_fleet
from multiarch_lab import multiconductor
from tests.multiconductor import conftest as mc

pytestmark = pytest.mark.multiconductor

ADDRESSES = {'arm-1': '127.0.0.11', 'x86-1': '127.0.0.12',
             'all-1': '127.0.0.13', 'all-2': '127.0.0.14'}
GROUPS = {'arm-1': 'arm', 'x86-1': 'x86', 'all-1': 'all', 'all-2': 'all'}


@pytest.fixture(scope='module')
def grouped(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp('groups'))
    dep = multiconductor.Deployment(
        workdir, conductors=list(ADDRESSES), groups=GROUPS,
        extra_conf=demo_fleet.multiarch_conf(workdir),
        conductor_conf={
            'arm-1': {'multiarch': {'enabled_architectures': 'aarch64'}},
            'x86-1': {'multiarch': {'enabled_architectures': 'x86_64'}}})
    dep.start()
    try:
        nodes = {}
        kinds = {'arm': [k for k in mc.KINDS if k[0] == 'aarch64'],
                 'x86': [k for k in mc.KINDS if k[0] == 'x86_64'],
                 'all': mc.KINDS}
        for index, group in enumerate(('arm', 'x86', 'all')):
            nodes.update(mc.enrol_fleet(
                dep, 'g%s' % group, 0x40 + 2 * index, kinds=kinds[group],
                clean=24 if group == 'all' else 4, active=0,
                conductor_group=group))
        yield dep, nodes
    finally:
        dep.stop()


def audit(dep, conductor, *extra):
    out, err = io.StringIO(), io.StringIO()
    status = main.main(['audit', '-f', 'json', '--config-file',
                        dep.conductors[conductor].conf_file,
                        '--os-auth-type', 'none', '--os-endpoint', dep.url]
                       + list(extra), out, err)
    return status, json.loads(out.getvalue()), err.getvalue()


def test_conductors_register_their_groups(grouped):
    dep, _ = grouped
    listed = {dep.by_host(c['hostname']).name: c['conductor_group']
              for c in dep.conductor_list()}
    assert listed == GROUPS


def test_nodes_stay_in_their_group(grouped):
    dep, nodes = grouped
    owners = mc.owners(dep)
    for name, node in nodes.items():
        group = name.split('-')[0][1:]
        owner = owners[node['uuid']]
        assert GROUPS[owner] == group, name
        assert list(mc.node_files(dep, node)) == [owner], name
        assert ADDRESSES[owner] in mc.dhcp_options(dep, node['uuid'])


def test_one_group_spreads_every_architecture(grouped):
    dep, nodes = grouped
    owners = mc.owners(dep)
    by_arch = {}
    for name, node in nodes.items():
        if name.startswith('gall-'):
            by_arch.setdefault(node['kind'][0], set()).add(
                owners[node['uuid']])
    assert by_arch == {a: {'all-1', 'all-2'}
                       for a in ('x86_64', 'aarch64', 'ppc64le')}


def test_shard_refuses_other_architectures(grouped):
    dep, _ = grouped
    conn = dep.connection()
    node = mc.create(conn, 'garm-x86-stray', ('x86_64', 'uefi',
                                             'multiarch-pxe'),
                     mc.mac(0x4f, 1), conductor_group='arm')
    result = conn.baremetal.validate_node(node.id, required=None)
    assert not result['boot'].result
    assert 'x86_64' in result['boot'].reason
    conn.baremetal.delete_node(node.id)


def _groups(report):
    return {row['conductor_group']: (row['nodes'], row['with_problems'])
            for row in report['conductor_groups']}


def test_audit_summarises_readiness_per_conductor_group(grouped):
    dep, nodes = grouped
    per_group = {}
    for name in nodes:            # g<group>-<state>-<n>
        group = name[1:].split('-')[0]
        per_group[group] = per_group.get(group, 0) + 1
    # One group serving every architecture: the whole fleet, by group.
    status, every, err = audit(dep, 'all-1')
    assert not {p['name'] for p in every['problems']} & set(nodes)
    assert {g: n for g, (n, p) in _groups(every).items()} == per_group
    assert all(p == 0 for n, p in _groups(every).values())
    # With the arm shard's configuration, the whole fleet: every node
    # that is not aarch64 is a problem, and the groups say where.
    status, arm, err = audit(dep, 'arm-1')
    assert status == 1
    arm_groups = _groups(arm)
    assert arm_groups['arm'] == (per_group['arm'], 0)
    assert arm_groups['x86'] == (per_group['x86'], per_group['x86'])
    # Sharded: each group audited with its own configuration is ready.
    for conductor, group in (('arm-1', 'arm'), ('x86-1', 'x86'),
                             ('all-1', 'all')):
        status, report, err = audit(dep, conductor, '--conductor-group',
                                    group)
        assert status == 0, (group, report['problems'][:3])
        assert _groups(report) == {group: (per_group[group], 0)}
