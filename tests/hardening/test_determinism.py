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

"""Two conductor processes plan the same fleet into byte-identical trees.

Two real all-in-one Ironic processes, one after the other, with the same
configuration and API port but different hash seeds, enroll the same
fleet (same UUIDs and MACs) and take it to ``clean wait``; the TFTP and
HTTP trees they write must be identical to the byte, links included,
apart from the one value Ironic itself makes per request: the
``ipa-global-request-id`` argument.
"""

import os
import re
import time

import pytest

from multiarch_lab import demo_fleet
from multiarch_lab import standalone

pytestmark = pytest.mark.functional

FLEET = [(name, arch, mode, iface, mac, '5a1e0000-0000-4000-8000-%012d' % i)
         for i, (name, arch, mode, iface, mac)
         in enumerate(demo_fleet.NODES)]
#: the image cache names files after the (work-directory specific) hrefs
SKIP = ('master_images',)
#: the request id Ironic appends to the ramdisk's kernel arguments
REQUEST_ID = re.compile(rb' ipa-global-request-id=req-[0-9a-f-]{36}')


def _tree(root):
    entries = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        for name in filenames + [d for d in dirnames
                                 if os.path.islink(os.path.join(dirpath, d))]:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            if os.path.islink(full):
                entries[rel] = ('link', os.readlink(full))
            else:
                with open(full, 'rb') as f:
                    entries[rel] = ('file', REQUEST_ID.sub(
                        b' ipa-global-request-id=<id>', f.read()))
    return entries


def _run(workdir, port):
    server = standalone.StandaloneIronic(
        workdir, port=port, extra_conf=demo_fleet.multiarch_conf(workdir))
    with server:
        conn = server.connection()
        nodes = []
        for name, arch, mode, iface, mac, uuid in FLEET:
            node = conn.baremetal.create_node(
                uuid=uuid, power_interface='fake',
                management_interface='fake',
                **demo_fleet.node_fields(name, arch, mode, iface,
                                         driver='multiarch-manual'))
            conn.baremetal.create_port(node_id=node.id, address=mac)
            conn.baremetal.set_node_provision_state(node.id, 'manage',
                                                    wait=True)
            conn.baremetal.set_node_provision_state(node.id, 'provide')
            nodes.append(node)
        for node in nodes:
            conn.baremetal.wait_for_nodes_provision_state(
                [node.id], 'clean wait', timeout=60)
        opts = {}
        for name in sorted(os.listdir(server.dnsmasq_opts_dir)):
            with open(os.path.join(server.dnsmasq_opts_dir, name)) as f:
                # the node's dnsmasq tag is a random UUID by Ironic's design
                opts[name] = re.sub(r'^tag:[0-9a-f-]+,', 'tag:T,',
                                    f.read(), flags=re.M)
        return ({'tftp': _tree(server.tftp_root),
                 'http': _tree(server.http_root)}, opts)


def test_two_conductors_write_identical_trees(tmp_path, monkeypatch):
    port = standalone.free_port()
    results = []
    for seed in ('1', '4242'):
        monkeypatch.setenv('PYTHONHASHSEED', seed)
        started = time.monotonic()
        results.append(_run(str(tmp_path / ('conductor-' + seed)), port))
        assert time.monotonic() - started < 120
    (first, first_opts), (second, second_opts) = results
    assert len(first['tftp']) > 10 and len(first['http']) > 5
    assert sorted(first['tftp']) == sorted(second['tftp'])
    assert sorted(first['http']) == sorted(second['http'])
    for root in ('tftp', 'http'):
        for rel, entry in first[root].items():
            if rel == 'grub/grub.cfg':
                # Ironic's own initial grub.cfg names the TFTP root.
                entry = (entry[0], entry[1].replace(b'conductor-1/',
                                                    b'conductor-4242/'))
            assert entry == second[root][rel], (root, rel)
    assert first_opts == second_opts
    assert len(first_opts) == len(FLEET)
