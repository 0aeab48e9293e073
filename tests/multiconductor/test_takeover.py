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

"""A conductor dies with SIGKILL; the survivors take over; it comes back.

What stock Ironic does is the oracle, shown with its own ``ipxe`` boot
interface on the same deployment:

* ``ConductorManager._sync_local_state`` (every
  ``[conductor]sync_local_state_interval``) takes over only nodes that
  are ACTIVE, not in maintenance, mapped to the conductor by its hash
  ring and whose ``conductor_affinity`` is another conductor:
  ``_do_takeover`` calls ``deploy.prepare``, which for an ACTIVE node
  calls ``boot.prepare_instance`` and so rewrites the netboot config and
  DHCP options on the new owner.
* Nodes in ``clean wait`` are not taken over: the API names the new
  owner at once (the hash ring moved), but nothing rewrites their files
  or DHCP options, which keep naming the dead conductor, until the
  agent's next step or the clean wait timeout.
* Nobody removes the files a node leaves on its previous conductor.

The plugin behaves the same in every case.
"""

import os
import signal
import time

import pytest

from tests.multiconductor import conftest as mc

pytestmark = pytest.mark.multiconductor

STOCK_KIND = ('x86_64', 'uefi', 'ipxe')


@pytest.fixture(scope='module')
def stock(deployment):
    """Nodes with Ironic's own ``ipxe`` interface, in both states."""
    images = deployment.extra_conf['multiarch_x86_64']
    return mc.enrol_fleet(
        deployment, 'st', 0x30, kinds=(STOCK_KIND,), clean=9, active=9,
        driver_info={'deploy_kernel': images['deploy_kernel'],
                     'deploy_ramdisk': images['deploy_ramdisk']})


def snapshot(dep, nodes):
    """Owner, files, config text (per conductor) and DHCP options."""
    owners = mc.owners(dep)
    return {name: {
        'owner': owners[node['uuid']],
        'files': mc.node_files(dep, node),
        'config': {c: mc.config_text(cond, node['uuid'])[1]
                   for c, cond in dep.conductors.items()},
        'dhcp': mc.dhcp_options(dep, node['uuid'])}
        for name, node in nodes.items()}


def _victim(before):
    counts = {}
    for name, snap in before.items():
        category = (name.split('-')[0], name.split('-')[1])
        counts.setdefault(snap['owner'], set()).add(category)
    for name in sorted(counts):
        if len(counts[name]) == 4:
            return name
    pytest.fail('no conductor owns nodes of every category: %s' % counts)


def _rewritten(dep, nodes, owners_of, since):
    """Names whose config under ``owners_of[name]`` is newer than since."""
    done = set()
    for name, node in nodes.items():
        path, _ = mc.config_text(dep.conductors[owners_of[name]],
                                 node['uuid'])
        if path and os.stat(path).st_mtime > since:
            done.add(name)
    return done


@pytest.fixture(scope='module')
def takeover(deployment, fleet, stock):
    """Kill a conductor; wait until its ACTIVE nodes are taken over."""
    nodes = dict(fleet, **stock)
    before = snapshot(deployment, nodes)
    victim = _victim(before)
    orphans = {n: nodes[n] for n, s in before.items() if s['owner'] == victim}
    killed_at = time.time()
    deployment.stop_conductor(victim, signal.SIGKILL)
    deployment.wait_dead(victim, timeout=60)
    active = {n: v for n, v in orphans.items() if v['state'] == 'active'}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        owners = mc.owners(deployment)
        new = {n: owners[v['uuid']] for n, v in orphans.items()}
        if (victim not in new.values()
                and _rewritten(deployment, active, new, killed_at)
                == set(active)):
            break
        time.sleep(1)
    after = snapshot(deployment, nodes)
    return {'victim': victim, 'nodes': nodes, 'orphans': orphans,
            'before': before, 'after': after, 'killed_at': killed_at}


def _orphans(takeover, prefix, state):
    names = [n for n, v in takeover['orphans'].items()
             if n.startswith(prefix + '-') and v['state'] == state]
    assert names, (prefix, state)
    return names


def test_api_names_a_survivor_for_every_orphan(takeover):
    after = takeover['after']
    survivors = set(mc.ADDRESSES) - {takeover['victim']}
    for name in takeover['orphans']:
        assert after[name]['owner'] in survivors, name
    for name, snap in after.items():
        if name not in takeover['orphans']:
            assert snap['owner'] == takeover['before'][name]['owner'], name


@pytest.mark.parametrize('prefix', ['st', 'mc'])
def test_active_nodes_are_rewritten_by_the_new_owner(takeover, prefix):
    victim = takeover['victim']
    old_addr = mc.ADDRESSES[victim]
    for name in _orphans(takeover, prefix, 'active'):
        before, after = takeover['before'][name], takeover['after'][name]
        new = after['owner']
        new_addr = mc.ADDRESSES[new]
        assert set(after['files']) == {victim, new}, name
        # The dead conductor's files are left where they were.
        assert after['files'][victim] == before['files'][victim], name
        assert sorted(after['files'][new]) == sorted(
            before['files'][victim]), name
        # A pxelinux config names no server (paths are TFTP-relative).
        assert after['config'][new] == before['config'][victim].replace(
            old_addr, new_addr), name
        assert new_addr in after['dhcp'] and old_addr not in after['dhcp']
        assert after['dhcp'] == before['dhcp'].replace(old_addr, new_addr)


@pytest.mark.parametrize('prefix', ['st', 'mc'])
def test_clean_wait_nodes_are_not_taken_over(takeover, prefix):
    victim = takeover['victim']
    old_addr = mc.ADDRESSES[victim]
    for name in _orphans(takeover, prefix, 'clean'):
        before, after = takeover['before'][name], takeover['after'][name]
        assert after['owner'] != victim
        assert after['files'] == before['files'] == {
            victim: before['files'][victim]}, name
        assert after['dhcp'] == before['dhcp'] and old_addr in after['dhcp']


def test_rejoin_rebalances(deployment, takeover):
    victim = takeover['victim']
    started = time.time()
    deployment.start_conductor(victim)
    active = {n: v for n, v in takeover['orphans'].items()
              if v['state'] == 'active'}
    back = {n: victim for n in active}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        owners = mc.owners(deployment)
        if (all(owners[v['uuid']] == takeover['before'][n]['owner']
                for n, v in takeover['nodes'].items())
                and _rewritten(deployment, active, back, started)
                == set(active)):
            break
        time.sleep(1)
    final = snapshot(deployment, takeover['nodes'])
    for name, snap in final.items():
        assert snap['owner'] == takeover['before'][name]['owner'], name
    assert mc.dangling_links(deployment) == []
    outcome = {'st': set(), 'mc': set()}
    for name, snap in final.items():
        prefix, state = name.split('-')[:2]
        interim = takeover['after'][name]['owner']
        if name in active:
            # Taken back: rewritten on the victim, DHCP names it again;
            # as with stock Ironic, the interim owner keeps its copy (and
            # per-MAC links to it), which no DHCP option points at.
            assert set(snap['files']) == {victim, interim}, name
            assert mc.ADDRESSES[victim] in snap['dhcp'], name
            assert mc.ADDRESSES[interim] not in snap['dhcp'], name
            assert snap['config'][interim] == snap['config'][victim].replace(
                mc.ADDRESSES[victim], mc.ADDRESSES[interim]), name
            outcome[prefix].add((state, 'two copies'))
        else:
            assert list(snap['files']) == [snap['owner']], name
            assert mc.ADDRESSES[snap['owner']] in snap['dhcp'], name
            outcome[prefix].add((state, 'one copy'))
    # Stock is the oracle: the plugin leaves exactly what Ironic leaves.
    assert outcome['mc'] == outcome['st']
