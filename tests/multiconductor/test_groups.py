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

``ironic-multiarch audit`` reads one conductor's configuration and
summarises by architecture, boot mode and interface only: it has no
per-conductor-group summary (asserted below as the current shape).
"""

import io
import json
import os

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


def audit(dep, conductor):
    out, err = io.StringIO(), io.StringIO()
    status = main.main(['audit', '-f', 'json', '--config-file',
                        dep.conductors[conductor].conf_file,
                        '--os-auth-type', 'none', '--os-endpoint', dep.url],
                       out, err)
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


def test_audit_has_no_per_group_summary(grouped):
    dep, nodes = grouped
    status, arm, err = audit(dep, 'arm-1')
    # With the arm shard's configuration, every x86_64 and ppc64le node
    # of the fleet is a problem, whichever group serves it.
    flagged = {p['name'] for p in arm['problems']}
    assert {n for n in nodes if nodes[n]['kind'][0] != 'aarch64'} <= flagged
    assert not {n for n in nodes if nodes[n]['kind'][0] == 'aarch64'} & \
        flagged
    keys = {tuple(sorted(row)) for row in arm['summary']}
    assert keys == {('arch', 'boot_mode', 'interface', 'nodes',
                     'with_problems')}
    status, every, err = audit(dep, 'all-1')
    assert not {p['name'] for p in every['problems']} & set(nodes)
    assert os.path.isfile(dep.conductors['all-1'].conf_file)
