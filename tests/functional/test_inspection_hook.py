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

"""The ``multiarch-architecture`` inspection hook in a real Ironic.

Nodes use the ``agent`` inspect interface; the inventories an
ironic-python-agent would send are posted to ``POST
/v1/continue_inspection`` (with no microversion, as the agent does) while
the node waits in ``inspect wait``. Boot is unmanaged (``fake`` boot,
``[inspector]require_managed_boot = false``), so no ramdisk is involved.

Two Ironic configurations: the hook in place of Ironic's ``architecture``
hook, and after it.
"""

import importlib.metadata
import itertools
import time

import pytest

from multiarch_lab import demo_fleet
from multiarch_lab import standalone

MV = '1.84'


def _has_builtin_inspection():
    names = {e.name for e in importlib.metadata.entry_points(
        group='ironic.inspection.hooks')}
    return 'architecture' in names


pytestmark = pytest.mark.skipif(
    not _has_builtin_inspection(),
    reason='this Ironic release has no built-in inspection (no '
           'ironic.inspection.hooks entry points): the hook needs the '
           '"agent" inspect interface')

HOOKS = {
    'replaces': 'ramdisk-error,validate-interfaces,ports,'
                'multiarch-architecture',
    'follows': '$default_hooks,multiarch-architecture',
}

_MACS = itertools.count(1)


def inventory(mac, architecture, kind):
    """What ironic-python-agent reports for one of three real machines."""
    machines = {
        'x86_64': ({'model_name': 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
                    'frequency': '2000', 'count': 128,
                    'flags': ['fpu', 'vmx', 'sse4_2', 'avx512f', 'lm']},
                   {'manufacturer': 'Dell Inc.',
                    'product_name': 'PowerEdge R650',
                    'serial_number': 'CN7016314G0123'}),
        'aarch64': ({'model_name': 'Neoverse-N1', 'frequency': '3000',
                     'count': 80, 'flags': ['fp', 'asimd', 'aes', 'crc32',
                                            'atomics']},
                    {'manufacturer': 'Ampere(R)',
                     'product_name': 'Mt.Collins',
                     'serial_number': 'AMP0000123'}),
        'ppc64le': ({'model_name': 'POWER9, altivec supported',
                     'frequency': '3800', 'count': 128, 'flags': []},
                    {'manufacturer': 'IBM',
                     'product_name': '9006-22P (Boston)',
                     'serial_number': '7806F2A'}),
    }
    cpu, vendor = machines[kind]
    cpu = dict(cpu, architecture=architecture)
    return {
        'inventory': {
            'interfaces': [{'name': 'eth0', 'mac_address': mac,
                            'ipv4_address': '192.0.2.%d' % (
                                int(mac[-2:], 16) + 20),
                            'ipv6_address': None, 'has_carrier': True,
                            'vendor': '0x15b3', 'product': '0x1017',
                            'speed_mbps': 25000, 'lldp': None,
                            'biosdevname': None, 'client_id': None}],
            'cpu': cpu,
            'memory': {'total': 269755207680, 'physical_mb': 262144},
            'disks': [{'name': '/dev/nvme0n1', 'model': 'SAMSUNG MZQL2960',
                       'size': 960197124096, 'rotational': False,
                       'serial': 'S64FNE0R000001', 'vendor': None,
                       'wwn': 'eui.36344630529001230025384500000001',
                       'by_path': '/dev/disk/by-path/pci-0000:01:00.0-nvme-1'}
                      ],
            'bmc_address': '0.0.0.0',
            'bmc_v6address': '::/0',
            'system_vendor': vendor,
            'boot': {'current_boot_mode': 'uefi', 'pxe_interface': mac},
            'hostname': 'localhost.localdomain',
        },
        'root_disk': {'name': '/dev/nvme0n1', 'size': 960197124096},
        'boot_interface': mac,
        'error': None,
    }


@pytest.fixture(scope='module', params=sorted(HOOKS))
def inspecting_ironic(request, tmp_path_factory):
    """A running Ironic with the hook enabled as ``request.param`` says."""
    workdir = str(tmp_path_factory.mktemp('inspect-%s' % request.param))
    conf = demo_fleet.multiarch_conf(workdir)
    conf['DEFAULT'] = {
        'enabled_inspect_interfaces': 'no-inspect,fake,agent'}
    conf['inspector'] = {'hooks': HOOKS[request.param],
                         'require_managed_boot': False,
                         'power_off': False}
    server = standalone.StandaloneIronic(workdir, extra_conf=conf)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _get(ironic, uuid):
    resp = ironic.request('GET', '/v1/nodes/%s' % uuid, microversion=MV)
    resp.raise_for_status()
    return resp.json()


def _wait(ironic, uuid, busy, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        node = _get(ironic, uuid)
        if node['provision_state'] not in busy:
            return node
        if time.monotonic() > deadline:
            raise AssertionError('node %s still in %s after %ss; log:\n%s'
                                 % (uuid, node['provision_state'], timeout,
                                    ironic.log_tail()))
        time.sleep(0.2)


def inspect(ironic, name, cpu_arch, architecture, kind):
    """Create a node, start inspection, post the inventory; return it."""
    mac = '52:54:00:1a:00:%02x' % next(_MACS)
    properties = {'cpu_arch': cpu_arch} if cpu_arch else {}
    resp = ironic.request('POST', '/v1/nodes', microversion=MV, json=dict(
        name=name, driver='fake-hardware', boot_interface='fake',
        inspect_interface='agent', properties=properties))
    resp.raise_for_status()
    uuid = resp.json()['uuid']
    ironic.request('POST', '/v1/ports', microversion=MV, json=dict(
        node_uuid=uuid, address=mac)).raise_for_status()
    for verb, busy in (('manage', ('enroll', 'verifying')),
                       ('inspect', ('manageable', 'inspecting'))):
        ironic.set_provision_state(uuid, verb, microversion=MV)
        node = _wait(ironic, uuid, busy)
    assert node['provision_state'] == 'inspect wait', node['last_error']
    resp = ironic.request('POST', '/v1/continue_inspection',
                          json=inventory(mac, architecture, kind))
    assert resp.status_code == 202, resp.text
    return _wait(ironic, uuid, ('inspect wait', 'inspecting'))


@pytest.mark.parametrize('cpu_arch,architecture,kind,expected', [
    (None, 'x86_64', 'x86_64', 'x86_64'),
    (None, 'aarch64', 'aarch64', 'aarch64'),
    (None, 'ppc64le', 'ppc64le', 'ppc64le'),
    (None, 'arm64', 'aarch64', 'aarch64'),
    (None, 'ppc64el', 'ppc64le', 'ppc64le'),
    (None, 'AMD64', 'x86_64', 'x86_64'),
    ('arm64', 'aarch64', 'aarch64', 'aarch64'),
    ('ppc64le', 'ppc64le', 'ppc64le', 'ppc64le'),
])
def test_canonical_name_stored(inspecting_ironic, cpu_arch, architecture,
                               kind, expected):
    node = inspect(inspecting_ironic, None, cpu_arch, architecture, kind)
    assert node['provision_state'] == 'manageable', node['last_error']
    assert node['properties']['cpu_arch'] == expected
    assert node['last_error'] is None


def test_empty_architecture_refused(inspecting_ironic):
    node = inspect(inspecting_ironic, 'empty-arch', 'aarch64', '',
                   'aarch64')
    assert node['provision_state'] == 'inspect failed'
    assert node['properties']['cpu_arch'] == 'aarch64'
    assert ('Node empty-arch: the inspection inventory reports no CPU '
            'architecture (cpu.architecture is empty), so cpu_arch is left '
            'as it is (aarch64).') in node['last_error']


def test_empty_architecture_never_written(inspecting_ironic):
    node = inspect(inspecting_ironic, 'no-arch-yet', None, '', 'x86_64')
    assert node['provision_state'] == 'inspect failed'
    assert 'cpu_arch' not in node['properties']
    assert 'reports no CPU architecture' in node['last_error']


def test_unknown_architecture_refused(inspecting_ironic):
    node = inspect(inspecting_ironic, 'sparc', None, 'sparc64', 'x86_64')
    assert node['provision_state'] == 'inspect failed'
    assert 'cpu_arch' not in node['properties']
    assert ("reports CPU architecture 'sparc64', which is not an enabled "
            'architecture') in node['last_error']
    assert '[multiarch]arch_aliases' in node['last_error']


def test_disagreement_refused(inspecting_ironic):
    node = inspect(inspecting_ironic, 'wrong-record', 'x86_64', 'arm64',
                   'aarch64')
    assert node['provision_state'] == 'inspect failed'
    assert node['properties']['cpu_arch'] == 'x86_64'
    assert ('Node wrong-record: the inspection inventory reports CPU '
            'architecture arm64 (aarch64), but the node has cpu_arch '
            'x86_64; cpu_arch is left as it is.') in node['last_error']
    assert ('openstack baremetal node unset --property cpu_arch '
            'wrong-record') in node['last_error']
