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

"""A hybrid fleet through its whole life on one conductor.

An x86_64 and an aarch64 node (Redfish through sushy-tools, ``multiarch-pxe``)
go through in-band inspection, automated cleaning, deploy of a whole-disk
image, local boot, rescue and unrescue, and undeploy at the same time;
then an x86_64 node on IPMI (VirtualBMC) with ``multiarch-ipxe`` and an
aarch64 node booting over UEFI HTTP (``multiarch-http``) do the same
without inspection. Each machine's firmware netboots what Ironic's
dnsmasq provider told a real dnsmasq, and a real ironic-python-agent
heartbeats back.
"""

import os
import re
import sys

import pytest

from multiarch_lab import lifecycle
from multiarch_lab import lifecycle_run

pytestmark = pytest.mark.lab

#: The consoles README's table promises per architecture.
CONSOLES = {'x86_64': 'ttyS0,115200n8', 'aarch64': 'ttyAMA0,115200'}
#: What each node's firmware must be told to load (DHCP option 67, or
#: the URL a UEFI HTTP client gets).
LOADERS = {
    'x86-redfish-pxe': 'multiarch/x86_64/grubx64.efi',
    'arm-redfish-pxe': 'multiarch/aarch64/grubaa64.efi',
    'x86-ipmi-ipxe': 'multiarch/x86_64/snponly.efi',
    'arm-redfish-http': 'http://10.20.0.1:8080/multiarch/aarch64/'
                        'grubaa64.efi',
}


def _assert_run(ll, run):
    assert run.error is None, run.error
    spec = ll.nodes[run.name]
    expected_console = CONSOLES[spec.arch]
    for phase in ('clean', 'deploy'):
        line = lifecycle_run.AGENT_LINE.search(run.evidence[phase])
        assert line, (run.name, phase, run.evidence[phase][-800:])
        assert line.group(1) == spec.arch, (run.name, line.group(0))
        # The planned console, and only it, reached the kernel.
        assert line.group(2) == expected_console, line.group(0)
    for phase in ('local-boot', 'unrescue-local-boot'):
        if phase in run.evidence:
            assert run.evidence[phase].endswith('arch=%s' % spec.arch)
    if 'rescue' in run.evidence:
        # The init set the rescue user's password from the hash the agent
        # received: a salted SHA-crypt string.
        hashed = lifecycle_run.RESCUE_LINE.search(
            run.evidence['rescue']).group(1)
        assert re.match(r'^\$[56]\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43,86}$',
                        hashed), hashed
        # On the serial console, login refused another password (or the
        # run failed) and accepted the one given to Ironic, on the node's
        # architecture.
        assert run.evidence['rescue-login'] == (
            'user=rescue arch=%s' % spec.arch), run.evidence['rescue-login']
    bootfiles = [a.bootfile for a in ll.dnsmasq.answers(mac=spec.mac)
                 if a.bootfile]
    assert LOADERS[run.name] in bootfiles, (run.name, bootfiles)


def _leftovers(ll, run):
    """Files of the node left in Ironic's roots and dnsmasq directories."""
    spec = ll.nodes[run.name]
    names = (run.uuid, spec.mac, spec.mac.replace(':', '-'))
    found = []
    for root in (ll.ironic.tftp_root, ll.ironic.http_root,
                 ll.ironic.dnsmasq_opts_dir):
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                if any(n in name for n in names):
                    found.append(os.path.join(dirpath, name))
    hosts = os.path.join(ll.ironic.dnsmasq_hosts_dir,
                         'ironic-%s.conf' % spec.mac)
    if os.path.exists(hosts):
        with open(hosts) as f:
            entry = f.read().strip()
        # Ironic's clean_dhcp_opts leaves the MAC ignored, not served.
        if entry != '%s,ignore' % spec.mac:
            found.append('%s: %s' % (hosts, entry))
    return found


def _assert_inventory(ll, run):
    resp = ll.ironic.request('GET', '/v1/nodes/%s/inventory' % run.uuid,
                             microversion='1.81')
    assert resp.ok, resp.text
    inventory = resp.json()['inventory']
    assert inventory['cpu']['architecture'] == ll.nodes[run.name].arch
    node = ll.ironic.connection().baremetal.get_node(run.uuid)
    assert node.properties['cpu_arch'] == ll.nodes[run.name].arch


def _lifecycle(ll, runner, names, inspect=()):
    specs = [ll.nodes[name] for name in names]
    runs = runner.run(specs, inspect=inspect, parallel=len(specs))
    lifecycle_run.report(runs, ll, sys.stderr)
    for run in runs.values():
        _assert_run(ll, run)
    for name in inspect:
        _assert_inventory(ll, runs[name])
    # All nodes were active at the same time: each had reached active
    # before any went on to rescue.
    assert max(r.marks['deploy'] for r in runs.values()) < min(
        r.marks['rescue-start'] for r in runs.values())
    for run in runs.values():
        assert _leftovers(ll, run) == [], run.name
    return runs


def test_x86_64_and_aarch64_redfish_pxe_life_cycle(lifecycle_lab, runner):
    _lifecycle(lifecycle_lab, runner, ['x86-redfish-pxe', 'arm-redfish-pxe'],
               inspect=('x86-redfish-pxe', 'arm-redfish-pxe'))


def test_ipmi_ipxe_and_uefi_http_life_cycle(lifecycle_lab, runner):
    _lifecycle(lifecycle_lab, runner, ['x86-ipmi-ipxe', 'arm-redfish-http'])


def test_nodes_cover_both_bmcs_and_interfaces():
    specs = lifecycle.NODES.values()
    assert {s.bmc for s in specs} == {'redfish', 'ipmi'}
    assert {s.boot_interface for s in specs} >= {
        'multiarch-pxe', 'multiarch-ipxe', 'multiarch-http'}
