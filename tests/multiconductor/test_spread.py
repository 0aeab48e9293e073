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

"""Every conductor serves every architecture.

The hash ring of the default conductor group spreads the hybrid fleet
over the three conductors; each node's files exist only in the roots of
the conductor the API names, its DHCP options name that conductor's own
address, and ``ironic-multiarch plan`` run with that conductor's
configuration prints the config that conductor wrote.
"""

import io

import pytest

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import main
from tests.multiconductor import conftest as mc

pytestmark = pytest.mark.multiconductor


def plan(dep, conductor, uuid):
    """Run ``ironic-multiarch plan --show-config`` with a conductor's conf."""
    out, err = io.StringIO(), io.StringIO()
    status = main.main(['plan', uuid, '--show-config', '--config-file',
                        conductor.conf_file, '--os-auth-type', 'none',
                        '--os-endpoint', dep.url], out, err)
    return status, mc.REQUEST_ID.sub('', out.getvalue()), err.getvalue()


def test_fleet_size(fleet):
    assert len(fleet) >= 60
    assert {n['kind'] for n in fleet.values()} == set(mc.KINDS)


def test_every_architecture_on_every_conductor(deployment, fleet):
    owners = mc.owners(deployment)
    by_arch = {}
    for node in fleet.values():
        by_arch.setdefault(node['kind'][0], set()).add(owners[node['uuid']])
    assert by_arch == {arch: {'cond-1', 'cond-2', 'cond-3'}
                       for arch in ('x86_64', 'aarch64', 'ppc64le')}


def test_files_only_under_the_owner(deployment, fleet):
    owners = mc.owners(deployment)
    for name, node in fleet.items():
        owner = owners[node['uuid']]
        files = mc.node_files(deployment, node)
        assert list(files) == [owner], name
        root = 'httpboot' if node['kind'][2] == 'multiarch-ipxe' \
            else 'tftpboot'
        assert '%s/%s/config' % (root, node['uuid']) in files[owner], name
        # A per-MAC entry point for the firmware or iPXE.
        assert any(node['macs'][0].replace(':', '-') in path
                   or node['macs'][0] in path for path in files[owner])
    assert mc.dangling_links(deployment) == []


def test_dhcp_options_name_the_owner(deployment, fleet):
    owners = mc.owners(deployment)
    for name, node in fleet.items():
        opts = mc.dhcp_options(deployment, node['uuid'])
        own = mc.ADDRESSES[owners[node['uuid']]]
        assert own in opts, name
        others = set(mc.ADDRESSES.values()) - {own}
        assert not [a for a in others if a in opts], (name, opts)


def test_plan_prints_what_the_owner_wrote(deployment, fleet):
    owners = mc.owners(deployment)
    checked = 0
    for name, node in sorted(fleet.items()):
        if node['state'] != 'clean':
            continue
        owner = deployment.conductors[owners[node['uuid']]]
        path, written = mc.config_text(owner, node['uuid'])
        assert path, name
        status, out, err = plan(deployment, owner, node['uuid'])
        assert status == common.EXIT_OK, err
        assert out.endswith(written), (name, path)
        checked += 1
    assert checked == mc.CLEAN_NODES


def test_plan_with_another_conductors_conf_differs(deployment, fleet):
    owners = mc.owners(deployment)
    node = fleet['mc-clean-01']
    owner = owners[node['uuid']]
    other = sorted(set(mc.ADDRESSES) - {owner})[0]
    _, written = mc.config_text(deployment.conductors[owner], node['uuid'])
    status, out, err = plan(deployment, deployment.conductors[other],
                            node['uuid'])
    assert status == common.EXIT_OK, err
    assert not out.endswith(written)
    assert out.endswith(written.replace(mc.ADDRESSES[owner],
                                        mc.ADDRESSES[other]))
