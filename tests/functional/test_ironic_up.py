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

"""The standalone Ironic starts with the plugin and stops completely."""

import pytest

from multiarch_lab import standalone

pytestmark = pytest.mark.functional


def test_drivers_list_multiarch_hardware_types(ironic):
    resp = ironic.request('GET', '/v1/drivers')
    resp.raise_for_status()
    names = {d['name'] for d in resp.json()['drivers']}
    assert {'fake-hardware', 'multiarch-manual'} <= names


def test_boot_interfaces_enabled(ironic):
    resp = ironic.request('GET', '/v1/drivers/multiarch-manual',
                          microversion='1.30')
    resp.raise_for_status()
    boot = resp.json()['enabled_boot_interfaces']
    assert {'multiarch-pxe', 'multiarch-ipxe'} <= set(boot)


def test_sdk_connection(conn):
    assert 'multiarch-manual' in {d.name for d in conn.baremetal.drivers()}


def test_stop_leaves_no_process(tmp_path):
    server = standalone.StandaloneIronic(
        str(tmp_path), hardware_types=['fake-hardware'],
        boot_interfaces=['fake'])
    with server:
        pids = server.pids()
        assert server.process.pid in pids
        # 2025.1 and later run a master and a worker; 2024.1 one process.
        assert pids, 'expected the ironic process in its session'
        sid = server.process.pid
        assert server.request('GET', '/v1').ok
    assert server.process is None
    assert standalone.session_pids(sid) == []
    for pid in pids:
        with pytest.raises(OSError):
            open('/proc/%d/stat' % pid).close()


def test_start_failure_reports_log_tail(tmp_path):
    server = standalone.StandaloneIronic(
        str(tmp_path), hardware_types=['fake-hardware'],
        boot_interfaces=['no-such-boot'], start_timeout=30)
    with pytest.raises(standalone.IronicStartError) as exc:
        server.start()
    assert 'no-such-boot' in str(exc.value)
    assert server.process is None
