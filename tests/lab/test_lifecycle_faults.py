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

"""Faults in the middle of a life cycle, and what Ironic makes of them.

- dnsmasq is restarted the moment a node's firmware asks for DHCP: the
  firmware's own retransmissions and Ironic's unchanged files bring the
  node through cleaning to ``available``.
- sushy-tools (the Redfish BMC) is killed with a power action pending:
  back within Ironic's Redfish connection retries, the node recovers;
  gone for good, cleaning fails with an error that names the BMC, and
  nothing of the node is left in Ironic's roots.
"""

import os
import re
import threading
import time

import pytest

from multiarch_lab import lifecycle
from multiarch_lab import lifecycle_run

pytestmark = pytest.mark.lab


@pytest.fixture(scope='module')
def fault_nodes(lifecycle_lab):
    for spec in lifecycle.FAULT_NODES.values():
        if spec.name not in lifecycle_lab.domains:
            lifecycle_lab.add_node(spec)
    return lifecycle.FAULT_NODES


def _files_of(ll, uuid, mac):
    names = (uuid, mac, mac.replace(':', '-'))
    found = []
    for root in (ll.ironic.tftp_root, ll.ironic.http_root):
        for dirpath, dirnames, filenames in os.walk(root):
            found += [os.path.join(dirpath, n) for n in dirnames + filenames
                      if any(x in n for x in names)]
    return found


def _wait(runner, uuid, name, target, timeout=lifecycle_run.PHASE_TIMEOUT):
    serial = lambda: runner.ll.serial_log(name)   # noqa: E731
    return lifecycle_run.wait_state(runner.conn, uuid, name, target,
                                     timeout, serial)


def _restart_on_discover(ll, mac, since, result):
    """Restart dnsmasq at the machine's first DHCPDISCOVER."""
    pattern = re.compile(r'DHCPDISCOVER\(\S+\) %s' % re.escape(mac), re.I)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with open(ll.dnsmasq.log_path, errors='replace') as log:
            log.seek(since)
            if pattern.search(log.read()):
                result['down'] = ll.lab.restart_dnsmasq(ll.dnsmasq)
                return
        time.sleep(0.05)


def test_dnsmasq_restart_and_sushy_kill_recover(lifecycle_lab, runner,
                                                fault_nodes):
    ll = lifecycle_lab
    conn = runner.conn
    x86, arm = fault_nodes['x86-fault'], fault_nodes['arm-fault']
    uuids = {}
    for spec in (x86, arm):
        uuids[spec.name] = runner.enroll(spec)
        conn.baremetal.set_node_provision_state(uuids[spec.name], 'manage')
        _wait(runner, uuids[spec.name], spec.name, 'manageable', 120)
    # x86: dnsmasq restarts when its firmware first asks for an address.
    restarted = {}
    watcher = threading.Thread(target=_restart_on_discover, args=(
        ll, x86.mac, ll.dnsmasq.log_size(), restarted))
    watcher.start()
    conn.baremetal.set_node_provision_state(uuids[x86.name], 'provide')
    # arm: the BMC dies with the power-on pending, and is back 6 s later,
    # within Ironic's Redfish retries (the first attempt alone lasts
    # some 30 s against a closed port).
    ll.bmc.kill_sushy()
    conn.baremetal.set_node_provision_state(uuids[arm.name], 'provide')
    time.sleep(6)
    ll.bmc.start_sushy()
    watcher.join()
    assert 'down' in restarted, 'the x86 machine never asked for DHCP'
    for spec in (x86, arm):
        node = _wait(runner, uuids[spec.name], spec.name, 'available')
        assert node.last_error is None
        assert node.power_state == 'power off'
        assert _files_of(ll, uuids[spec.name], spec.mac) == []
        line = lifecycle_run.AGENT_LINE.search(ll.serial_log(spec.name))
        assert line and line.group(1) == spec.arch


def test_sushy_gone_fails_cleaning_clearly_and_cleanly(lifecycle_lab, runner,
                                                       fault_nodes):
    ll = lifecycle_lab
    conn = runner.conn
    spec = fault_nodes['arm-fault']
    node = conn.baremetal.find_node(spec.name)
    uuid = node.id if node is not None else runner.enroll(spec)
    conn.baremetal.set_node_provision_state(uuid, 'manage')
    _wait(runner, uuid, spec.name, 'manageable', 120)
    ll.bmc.kill_sushy()
    try:
        conn.baremetal.set_node_provision_state(uuid, 'provide')
        # Ironic retries each Redfish call first ([redfish]
        # connection_attempts, 2 in the lab, each some 30 s of sushy's
        # own retries against a closed port).
        deadline = time.monotonic() + 300
        while True:
            node = conn.baremetal.get_node(uuid)
            if node.provision_state == 'clean failed':
                break
            assert node.provision_state != 'available', node
            assert time.monotonic() < deadline, node.provision_state
            time.sleep(2)
        # The error names the BMC that could not be reached.
        assert '127.0.0.1:8000' in node.last_error or \
            'redfish' in node.last_error.lower(), node.last_error
        # Nothing half-written: no config, link or image of the node.
        assert _files_of(ll, uuid, spec.mac) == []
    finally:
        ll.bmc.start_sushy()
    conn.baremetal.set_node_provision_state(uuid, 'manage')
    _wait(runner, uuid, spec.name, 'manageable', 180)
