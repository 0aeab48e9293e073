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


"""Real BMCs over libvirt: power through Redfish and IPMI, DHCP answered.

Each machine is a libvirt TCG domain on the lab's bridge; sushy-tools
and VirtualBMC drive it from the root namespace, dnsmasq answers it in
the lab's namespace (with nothing to boot).
"""

import os
import re
import subprocess
import time

import pytest
import requests

import multiarch_lab
from multiarch_lab import bmc as bmc_mod

pytestmark = pytest.mark.lab

MACS = {'x86': '52:54:00:bc:00:01', 'arm': '52:54:00:bc:00:02'}
#: What OVMF and AAVMF print when they try PXE.
FIRMWARE_PXE = re.compile(r'>>Start PXE over IPv4')
TIMEOUT = 240


@pytest.fixture(scope='module')
def bmc_lab(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('bmc')
    assets = multiarch_lab.provision()
    tools = bmc_mod.provision_bmc()
    with multiarch_lab.Lab(str(workdir / 'lab'), assets=assets) as lab:
        empty = {}
        for name in ('hosts', 'opts', 'tftp'):
            empty[name] = str(workdir / name)
            os.makedirs(empty[name])
        dns = lab.dnsmasq(empty['hosts'], empty['opts'], empty['tftp'])
        with bmc_mod.Bmc(lab, str(workdir / 'bmc'), assets,
                         tools=tools) as bmc:
            bmc.start()
            yield bmc, dns, tools


def _until(what, probe, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return time.monotonic()
        time.sleep(2)
    pytest.fail('%s did not happen in %ds' % (what, timeout))


def _serial(domain):
    with open(domain.serial_log, errors='replace') as f:
        return f.read()


def _ipmi(tools, info, *args):
    return subprocess.run(
        [tools.ipmitool, '-I', 'lanplus', '-H', info['ipmi_address'],
         '-p', str(info['ipmi_port']), '-U', info['ipmi_username'],
         '-P', info['ipmi_password']] + list(args),
        check=True, text=True, stdout=subprocess.PIPE, timeout=60).stdout


def _redfish(bmc, domain, method, suffix='', **kwargs):
    info = bmc.redfish_driver_info(domain)
    resp = requests.request(
        method, info['redfish_address'] + info['redfish_system_id'] + suffix,
        timeout=30, verify=info['redfish_verify_ca'], **kwargs)
    resp.raise_for_status()
    return resp


def test_power_through_redfish_and_ipmi(bmc_lab):
    bmc, dns, tools = bmc_lab
    arm = bmc.define('bmc-arm', 'aarch64', MACS['arm'])
    x86 = bmc.define('bmc-x86', 'x86_64', MACS['x86'])
    assert bmc.power_state(arm) == bmc.power_state(x86) == 'off'
    ipmi = bmc.add_ipmi(x86)
    assert ipmi['ipmi_port'] == 6230

    started = time.monotonic()
    _redfish(bmc, arm, 'PATCH', json={'Boot': {
        'BootSourceOverrideTarget': 'Pxe', 'BootSourceOverrideMode': 'UEFI',
        'BootSourceOverrideEnabled': 'Once'}})
    _redfish(bmc, arm, 'POST', '/Actions/ComputerSystem.Reset',
             json={'ResetType': 'On'})
    _ipmi(tools, ipmi, 'chassis', 'bootdev', 'pxe', 'options=efiboot')
    _ipmi(tools, ipmi, 'power', 'on')
    assert bmc.power_state(arm) == bmc.power_state(x86) == 'on'
    assert 'running' in bmc.virsh('domstate', arm.name)
    assert 'running' in bmc.virsh('domstate', x86.name)
    assert _redfish(bmc, arm, 'GET').json()['PowerState'] == 'On'
    assert 'Power is on' in _ipmi(tools, ipmi, 'power', 'status')

    for domain in (arm, x86):
        _until('%s DHCP answer' % domain.name,
               lambda: dns.answers(mac=domain.mac))
        _until('%s firmware PXE output' % domain.name,
               lambda: FIRMWARE_PXE.search(_serial(domain)))
        print('%s: DHCP after %.0fs' % (domain.name,
                                        time.monotonic() - started))

    _redfish(bmc, arm, 'POST', '/Actions/ComputerSystem.Reset',
             json={'ResetType': 'ForceOff'})
    _ipmi(tools, ipmi, 'power', 'off')
    _until('both off', lambda: bmc.power_state(arm) ==
           bmc.power_state(x86) == 'off', 60)
    assert _redfish(bmc, arm, 'GET').json()['PowerState'] == 'Off'
    assert 'Power is off' in _ipmi(tools, ipmi, 'power', 'status')


def test_sushy_killed_and_restarted(bmc_lab):
    bmc, _dns, _tools = bmc_lab
    domain = bmc.domains.get('bmc-arm') or bmc.define(
        'bmc-arm', 'aarch64', MACS['arm'])
    systems = bmc.redfish_address + '/redfish/v1/Systems'
    bmc.kill_sushy()
    with pytest.raises(requests.ConnectionError):
        requests.get(systems, timeout=10)
    bmc.start_sushy()
    members = requests.get(systems, timeout=30).json()['Members']
    assert {'@odata.id': '/redfish/v1/Systems/%s' % domain.uuid} in members
    assert _redfish(bmc, domain, 'GET').json()['PowerState'] == 'Off'


def test_libvirtd_restart_and_other_firmware(bmc_lab):
    bmc, _dns, _tools = bmc_lab
    http = bmc.define('bmc-http', 'x86_64', '52:54:00:bc:00:03',
                      http_boot=True)
    bios = bmc.define('bmc-bios', 'x86_64', '52:54:00:bc:00:04',
                      firmware='bios')
    bmc.restart_libvirtd()
    xml = bmc.virsh('dumpxml', http.name)
    assert "name='opt/org.tianocore/IPv4PXESupport'>n<" in xml
    assert '<loader' not in bmc.virsh('dumpxml', bios.name)
    assert _redfish(bmc, http, 'GET').json()['PowerState'] == 'Off'
    assert bmc.power_state(bios) == 'off'
