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

"""``ironic-multiarch plan`` and ``audit`` against a real Ironic.

The nodes are cleaned up to ``clean wait``, where the conductor (with the
plugin's boot interfaces) has written ``<root>/<uuid>/config``; ``plan``
must print that file byte for byte.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import main
from multiarch_lab import demo_fleet

pytestmark = pytest.mark.functional

#: name, cpu_arch, boot mode, boot interface, MAC (unique to this module).
GOOD = (
    ('cli-x86-bios', 'x86_64', 'bios', 'multiarch-pxe', '52:54:00:cc:86:01'),
    ('cli-x86-uefi-ipxe', 'x86_64', 'uefi', 'multiarch-ipxe',
     '52:54:00:cc:86:02'),
    ('cli-arm-uefi', 'arm64', 'uefi', 'multiarch-pxe', '52:54:00:cc:aa:01'),
    ('cli-power', 'ppc64le', None, 'multiarch-pxe', '52:54:00:cc:99:01'),
)
#: nodes with problems, and the problem audit must report.
BAD = (
    (('cli-arm-bios', 'aarch64', 'bios', 'multiarch-pxe',
      '52:54:00:cc:aa:02'), 'impossible-boot-mode'),
    (('cli-no-arch', None, 'uefi', 'multiarch-pxe', '52:54:00:cc:00:01'),
     'no-cpu-arch'),
    (('cli-sparc', 'sparc64', 'uefi', 'multiarch-pxe', '52:54:00:cc:00:02'),
     'unknown-cpu-arch'),
    (('cli-stock-pxe', 'aarch64', 'uefi', 'pxe', '52:54:00:cc:aa:03'),
     'not-multiarch-aware'),
)


def cli(ironic, *argv):
    """Run the console script's main in-process; return status, out, err."""
    out, err = io.StringIO(), io.StringIO()
    argv = list(argv) + ['--config-file', ironic.conf_file,
                         '--os-auth-type', 'none',
                         '--os-endpoint', ironic.url]
    status = main.main(argv, out, err)
    return status, out.getvalue(), err.getvalue()


def _create(conn, name, arch, boot_mode, interface, mac):
    fields = demo_fleet.node_fields(name, arch or 'x', boot_mode, interface)
    if arch is None:
        del fields['properties']['cpu_arch']
    node = conn.baremetal.create_node(**fields)
    conn.baremetal.create_port(node_id=node.id, address=mac,
                               pxe_enabled=True)
    return node


@pytest.fixture(scope='module')
def fleet(ironic):
    """Enrol the nodes; bring the good ones to ``clean wait``."""
    conn = ironic.connection()
    nodes = {}
    for spec in GOOD + tuple(b[0] for b in BAD):
        nodes[spec[0]] = _create(conn, *spec)
    for spec in GOOD:
        conn.baremetal.set_node_provision_state(spec[0], 'manage', wait=True)
        conn.baremetal.set_node_provision_state(spec[0], 'provide')
    deadline = time.monotonic() + 60
    pending = [spec[0] for spec in GOOD]
    while pending and time.monotonic() < deadline:
        node = conn.baremetal.get_node(pending[0])
        if node.provision_state == 'clean wait':
            pending.pop(0)
        elif node.provision_state in ('clean failed', 'manageable'):
            pytest.fail('%s: %s: %s' % (node.name, node.provision_state,
                                        node.last_error))
        else:
            time.sleep(0.2)
    assert not pending, 'not in clean wait: %s\n%s' % (pending,
                                                       ironic.log_tail())
    return {name: conn.baremetal.get_node(name) for name in nodes}


#: The one argument ``plan`` cannot know: the global request id of the
#: operation that wrote the file (see doc/cli.md).
REQUEST_ID = re.compile(rb' ipa-global-request-id=[^\s]+')


def conductor_file(ironic, node):
    """The config the conductor wrote for a node (TFTP or HTTP root).

    :returns: its path and its bytes, without ``ipa-global-request-id``.
    """
    found = [os.path.join(root, node.id, 'config')
             for root in (ironic.tftp_root, ironic.http_root)
             if os.path.isfile(os.path.join(root, node.id, 'config'))]
    assert len(found) == 1, found
    with open(found[0], 'rb') as f:
        return found[0], REQUEST_ID.sub(b'', f.read())


@pytest.mark.parametrize('name', [spec[0] for spec in GOOD])
def test_plan_config_is_the_conductors_file(ironic, fleet, name):
    status, out, err = cli(ironic, 'plan', name, '--config-only')
    assert status == common.EXIT_OK, err
    path, written = conductor_file(ironic, fleet[name])
    assert out.encode('utf-8') == written, path
    root = ironic.http_root if 'ipxe' in name else ironic.tftp_root
    assert path.startswith(root + os.sep)


@pytest.mark.parametrize('name', [spec[0] for spec in GOOD])
def test_plan_json_config_text_is_the_conductors_file(ironic, fleet, name):
    status, out, err = cli(ironic, 'plan', fleet[name].id, '-f', 'json')
    assert status == common.EXIT_OK, err
    data = json.loads(out)
    assert data['config_text'].encode('utf-8') == conductor_file(
        ironic, fleet[name])[1]
    assert data['node'] == fleet[name].id and data['name'] == name
    assert 'ipa-api-url=%s' % ironic.url in data['kernel_params']['value']


def test_plan_table_names_the_sources(ironic, fleet):
    status, out, err = cli(ironic, 'plan', 'cli-arm-uefi', '--show-config')
    assert status == common.EXIT_OK, err
    rows = {re.split(r'\s{2,}', line)[0]: line
            for line in out.splitlines() if line}
    assert 'aarch64' in rows['architecture']
    assert 'node properties/cpu_arch' in rows['architecture']
    assert '[multiarch_aarch64]deploy_kernel' in rows['kernel']
    assert 'multiarch/aarch64/grubaa64.efi' in rows['bootfile']
    config = conductor_file(ironic, fleet['cli-arm-uefi'])[1].decode()
    assert out.endswith(config)


def test_plan_problem_node_exit_1(ironic, fleet):
    status, out, err = cli(ironic, 'plan', 'cli-arm-bios')
    assert status == common.EXIT_PROBLEMS
    assert 'boot mode bios is not possible on aarch64' in err


def test_plan_unknown_node_exit_2(ironic, fleet):
    status, out, err = cli(ironic, 'plan', 'cli-no-such-node')
    assert status == common.EXIT_USAGE
    assert 'could not be found' in err


def test_plan_rescue_mode_without_rescue_images_exit_1(ironic, fleet):
    status, out, err = cli(ironic, 'plan', 'cli-x86-bios', '--mode',
                           'rescue')
    assert status == common.EXIT_PROBLEMS
    assert 'rescue_kernel' in err


def test_audit_reports_the_problem_nodes(ironic, fleet):
    status, out, err = cli(ironic, 'audit', '-f', 'json', '--check-files')
    assert status == common.EXIT_PROBLEMS, err
    data = json.loads(out)
    mine = {(p['name'], p['code']) for p in data['problems']
            if (p['name'] or '').startswith('cli-')}
    # arm64 plans (an alias), but Ironic's own lookups want aarch64.
    assert mine == {(spec[0], code) for spec, code in BAD} | {
        ('cli-arm-uefi', 'alias-cpu-arch')}
    assert data['nodes'] >= len(GOOD) + len(BAD)
    summary = {(s['arch'], s['boot_mode'], s['interface']): s
               for s in data['summary']}
    assert summary[('aarch64', 'bios', 'multiarch-pxe')]['with_problems'] >= 1
    assert ('ppc64le', 'uefi', 'multiarch-pxe') in summary
    assert data['notes'] == []


def test_audit_check_inventory_reads_the_inventory_api(ironic, fleet):
    status, out, err = cli(ironic, 'audit', '-f', 'json',
                           '--check-inventory')
    assert status == common.EXIT_PROBLEMS, err
    data = json.loads(out)
    # None of these nodes was inspected: every request is a 404.
    assert data['notes'] == [
        'inspection inventory compared for 0 nodes; %d have no stored '
        'inventory (never inspected, or the inspection data is not kept)'
        % data['nodes']]
    assert not [p for p in data['problems']
                if p['code'] == 'inventory-disagrees']


def test_audit_table(ironic, fleet):
    status, out, err = cli(ironic, 'audit')
    assert status == common.EXIT_PROBLEMS
    assert out.splitlines()[0].split()[:2] == ['ARCH', 'BOOT']
    problems = out[out.index('NODE '):]
    for spec, code in BAD:
        line = [ln for ln in problems.splitlines()
                if ln.startswith(spec[0] + ' ')]
        assert line and code in line[0], (spec[0], problems)


@pytest.mark.skipif(not shutil.which('openstack', path=os.path.dirname(
    sys.executable)), reason='python-openstackclient (extra osc) not '
                             'installed')
def test_osc_plan_is_the_conductors_file(ironic, fleet):
    openstack = shutil.which('openstack', path=os.path.dirname(
        sys.executable))
    result = subprocess.run(
        [openstack, '--os-auth-type', 'none', '--os-endpoint', ironic.url,
         'baremetal', 'multiarch', 'plan', 'cli-power', '--config-only',
         '--config-file', ironic.conf_file],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == conductor_file(ironic, fleet['cli-power'])[1]
