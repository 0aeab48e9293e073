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

"""``audit`` of 1,000 nodes: a few paginated listings, never one per node.

Runs its own Ironic (the 1,000 nodes would disturb the session one),
enrols the nodes through the API with a small thread pool, then counts
the HTTP requests ``audit`` makes with a hook on the openstacksdk
session.
"""

import collections
import concurrent.futures
import io
import json
import math
import urllib.parse

import pytest
import requests

from ironic_multiarch.cmd import audit
from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import main
from multiarch_lab import standalone

pytestmark = pytest.mark.functional

NODES = 1000
#: every other node has a port
PORTS = NODES // 2
PAGE_SIZE = 300


@pytest.fixture(scope='module')
def big_ironic(tmp_path_factory):
    """A separate Ironic holding 1,000 nodes (half of them with a port)."""
    workdir = str(tmp_path_factory.mktemp('ironic-scale'))
    server = standalone.StandaloneIronic(
        workdir, hardware_types=['fake-hardware'],
        boot_interfaces=['fake', 'pxe'],
        extra_conf={'multiarch': {'enabled_architectures': 'x86_64'}})
    server.start()
    session = requests.Session()
    headers = {'X-OpenStack-Ironic-API-Version': '1.75'}

    def enrol(i):
        resp = session.post(server.url + '/v1/nodes', headers=headers,
                            timeout=60, json={
                                'name': 'scale-%04d' % i,
                                'driver': 'fake-hardware',
                                'boot_interface': 'fake',
                                'properties': {'cpu_arch': 'x86_64'}})
        resp.raise_for_status()
        if i % 2 == 0:
            resp = session.post(
                server.url + '/v1/ports', headers=headers, timeout=60,
                json={'node_uuid': resp.json()['uuid'],
                      'address': '52:54:00:5c:%02x:%02x' % divmod(i, 256)})
            resp.raise_for_status()

    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(enrol, range(NODES)))
        yield server
    finally:
        server.stop()


def test_audit_of_1000_nodes_request_count(big_ironic):
    argv = ['audit', '--page-size', str(PAGE_SIZE), '-f', 'json',
            '--check-ports', '--config-file', big_ironic.conf_file,
            '--os-auth-type', 'none', '--os-endpoint', big_ironic.url]
    args = main.build_parser(argv).parse_args(argv)
    counts = collections.Counter()

    def count(resp, *a, **kw):
        path = urllib.parse.urlparse(resp.request.url).path
        counts[(resp.request.method, path.rstrip('/'))] += 1

    def connect():
        conn = common.connect(args)
        conn.session.session.hooks['response'].append(count)
        return conn

    out, err = io.StringIO(), io.StringIO()
    status = audit.run(args, connect, out, err)
    assert status == common.EXIT_OK, (err.getvalue(), out.getvalue()[:2000])
    data = json.loads(out.getvalue())
    assert data['nodes'] == NODES and data['ports'] == PORTS
    assert data['summary'] == [{'arch': 'x86_64', 'boot_mode': 'uefi',
                                'interface': 'fake', 'nodes': NODES,
                                'with_problems': 0}]
    node_lists = counts[('GET', '/v1/nodes')]
    port_lists = counts[('GET', '/v1/ports')]
    # Ironic gives a next link only after a full page, so with these
    # sizes (not multiples of the page size) no empty page is fetched.
    assert node_lists == math.ceil(NODES / PAGE_SIZE)
    assert port_lists == math.ceil(PORTS / PAGE_SIZE)
    others = {k: v for k, v in counts.items()
              if k not in (('GET', '/v1/nodes'), ('GET', '/v1/ports'))}
    # only version discovery besides the listings: no per-node request
    assert all(path in ('', '/v1') for _, path in others), others
    assert sum(others.values()) <= 2
