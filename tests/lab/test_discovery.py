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

"""Machines Ironic does not know, one per architecture, on the same dnsmasq.

Each gets its own architecture's loader from the option-93 lines of
``ironic-multiarch dnsmasq``; the network GRUB finds no config for its
MAC and, through the lab's ``[pxe]initial_grub_template``, boots the
architecture's agent to inspection; Ironic's built-in auto-discovery
enrolls it, and its ``cpu_arch`` is what the agent saw.
"""

import time

import pytest
import requests

from multiarch_lab import lifecycle
from multiarch_lab import lifecycle_run

pytestmark = pytest.mark.lab

UNKNOWN = {
    'x86-unknown': lifecycle.NodeSpec('x86-unknown', 'x86_64', '-', '-',
                                      '52:54:00:c0:86:d1'),
    'arm-unknown': lifecycle.NodeSpec('arm-unknown', 'aarch64', '-', '-',
                                      '52:54:00:c0:aa:d1'),
}
#: What each machine's firmware must be told to load (independent of the
#: generator: the paths README documents).
LOADERS = {'x86_64': 'multiarch/x86_64/grubx64.efi',
           'aarch64': 'multiarch/aarch64/grubaa64.efi'}


def _power_on(ll, domain):
    """Power on through the machine's Redfish BMC, booting from network."""
    system = '%s/redfish/v1/Systems/%s' % (ll.bmc.redfish_address,
                                            domain.uuid)
    requests.patch(system, json={'Boot': {
        'BootSourceOverrideTarget': 'Pxe',
        'BootSourceOverrideEnabled': 'Continuous',
        'BootSourceOverrideMode': 'UEFI'}}, timeout=30).raise_for_status()
    requests.post(system + '/Actions/ComputerSystem.Reset',
                  json={'ResetType': 'On'}, timeout=30).raise_for_status()


def _discovered(conn, mac):
    for port in conn.baremetal.ports(address=mac, details=True):
        return conn.baremetal.get_node(port.node_id)
    return None


def test_unknown_machines_are_discovered_with_their_architecture(
        lifecycle_lab):
    ll = lifecycle_lab
    conn = ll.ironic.connection()
    for spec in UNKNOWN.values():
        if spec.name not in ll.domains:
            ll.add_node(spec)
        _power_on(ll, ll.domains[spec.name])
    deadline = time.monotonic() + lifecycle_run.PHASE_TIMEOUT
    found = {}
    while len(found) < len(UNKNOWN) and time.monotonic() < deadline:
        for spec in UNKNOWN.values():
            if spec.name not in found:
                node = _discovered(conn, spec.mac)
                if node is not None and node.properties.get('cpu_arch'):
                    found[spec.name] = node
        time.sleep(3)
    try:
        for spec in UNKNOWN.values():
            assert spec.name in found, (
                '%s was not discovered; serial tail:\n%s'
                % (spec.name, ll.serial_log(spec.name)[-1500:]))
            node = found[spec.name]
            assert node.properties['cpu_arch'] == spec.arch
            assert node.driver == 'multiarch-redfish'
            bootfiles = [a.bootfile for a in ll.dnsmasq.answers(mac=spec.mac)
                         if a.bootfile]
            assert bootfiles and bootfiles[0] == LOADERS[spec.arch], \
                bootfiles
            line = lifecycle_run.AGENT_LINE.search(ll.serial_log(spec.name))
            assert line and line.group(1) == spec.arch
    finally:
        for spec in UNKNOWN.values():
            ll.bmc.virsh('destroy', spec.name, check=False)
