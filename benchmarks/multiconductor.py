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

"""Scale on several conductors: multiarch-ipxe against stock ipxe.

``tools/benchmark.sh multiconductor [--nodes 10000] [--provide 300]
[--conductors 3]`` runs, for stock ``ipxe`` and then for
``multiarch-ipxe``, each on a fresh
:class:`~multiarch_lab.multiconductor.Deployment` (MariaDB, one API,
several conductors over JSON-RPC) with the same configuration and x86_64
UEFI nodes:

- enroll ``--nodes`` nodes through the API (a pool of clients), then
  ``ironic-multiarch audit`` them;
- ``provide`` ``--provide`` more nodes (with ports, automated cleaning)
  at once, and time until every one has its boot config under its
  conductor's roots and its DHCP options.

It prints each time and the ratio multiarch/stock measured in this run.
"""

import argparse
import concurrent.futures
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time

from ironic_multiarch.cmd import main as cli
from multiarch_lab import demo_fleet
from multiarch_lab import multiconductor

INTERFACES = ('ipxe', 'multiarch-ipxe')


def _clients(dep, workers):
    local = threading.local()

    def conn():
        if not hasattr(local, 'conn'):
            local.conn = dep.connection()
        return local.conn
    return conn


def _fields(name, interface, images):
    spec = demo_fleet.node_fields(name, 'x86_64', 'uefi', interface,
                                  driver='multiarch-manual')
    spec.update(power_interface='fake', management_interface='fake',
                driver_info=dict(images))
    return spec


def enroll(dep, interface, count, images, workers, prefix):
    """Create ``count`` nodes; :returns: seconds."""
    conn = _clients(dep, workers)
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda i: conn().baremetal.create_node(
            **_fields('%s-%05d' % (prefix, i), interface, images)),
            range(count)))
    return time.monotonic() - start


def audit(dep):
    """``ironic-multiarch audit`` of the whole fleet.

    :returns: ``(seconds, nodes audited)``.
    """
    conf = next(iter(dep.conductors.values())).conf_file
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    cli.main(['audit', '-f', 'json', '--config-file', conf,
              '--os-auth-type', 'none', '--os-endpoint', dep.url], out, err)
    elapsed = time.monotonic() - start
    if not out.getvalue():
        raise RuntimeError('audit printed nothing: %s' % err.getvalue())
    return elapsed, json.loads(out.getvalue())['nodes']


def _ready(dep, uuid):
    if not os.path.exists(os.path.join(dep.opts_dir,
                                       'ironic-%s.conf' % uuid)):
        return False
    return any(os.path.exists(os.path.join(root, uuid, 'config'))
               for c in dep.conductors.values() for root in c.roots)


def provide(dep, interface, count, images, workers):
    """Enroll ``count`` nodes with ports, manage them, then ``provide``
    all at once.

    :returns: ``(seconds until every node has its boot config and DHCP
        options or has failed, {uuid: last_error} of the failed)``.
    """
    conn = _clients(dep, workers)

    def make(i):
        node = conn().baremetal.create_node(
            **_fields('p-%s-%04d' % (interface, i), interface, images))
        conn().baremetal.create_port(
            node_id=node.id, address='52:54:02:%02x:%02x:%02x' % (
                INTERFACES.index(interface), i // 256, i % 256),
            pxe_enabled=True)
        conn().baremetal.set_node_provision_state(node.id, 'manage')
        return node.id

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        uuids = list(pool.map(make, range(count)))
    _wait(lambda: all(conn().baremetal.get_node(u).provision_state
                      == 'manageable' for u in uuids), 600)
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda u: conn().baremetal.set_node_provision_state(
            u, 'provide'), uuids))
    pending, failed = set(uuids), {}
    deadline, polled = start + 1800, time.monotonic()
    while pending and time.monotonic() < deadline:
        pending = {u for u in pending if not _ready(dep, u)}
        if pending and time.monotonic() - polled > 5:
            polled = time.monotonic()
            for uuid in list(pending):
                node = conn().baremetal.get_node(uuid)
                if node.provision_state.endswith('failed'):
                    failed[uuid] = node.last_error
                    pending.discard(uuid)
        time.sleep(0.2)
    if pending:
        raise RuntimeError('%d nodes never got their files' % len(pending))
    return time.monotonic() - start, failed


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError('timed out')
        time.sleep(2)


def main(argv=None, out=None):
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog='tools/benchmark.sh '
                                     'multiconductor')
    parser.add_argument('--nodes', type=int, default=10000)
    parser.add_argument('--provide', type=int, default=300)
    parser.add_argument('--conductors', type=int, default=3)
    parser.add_argument('--workers', type=int, default=8)
    args = parser.parse_args(argv)
    times = {}
    for interface in INTERFACES:
        workdir = tempfile.mkdtemp(prefix='multiarch-bench-')
        try:
            conf = demo_fleet.multiarch_conf(workdir, arches=('x86_64',))
            images = {k: v for k, v in conf['multiarch_x86_64'].items()
                      if k.startswith('deploy_')}
            with multiconductor.Deployment(
                    workdir, conductors=args.conductors,
                    extra_conf=conf) as dep:
                t = times[interface] = {}
                t['enroll'] = enroll(dep, interface, args.nodes, images,
                                     args.workers, 'b')
                t['audit'], audited = audit(dep)
                if audited != args.nodes:
                    raise RuntimeError('audit saw %d nodes, not %d'
                                       % (audited, args.nodes))
                t['provide'], failed = provide(dep, interface, args.provide,
                                               images, args.workers)
                for uuid, error in failed.items():
                    out.write('%s: %s failed: %s\n' % (interface, uuid,
                                                         error))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        out.write('%-15s enroll %d: %7.1fs  audit: %6.1fs  provide %d: '
                  '%6.1fs\n' % (interface, args.nodes, t['enroll'],
                                t['audit'], args.provide, t['provide']))
        out.flush()
    stock, ours = times['ipxe'], times['multiarch-ipxe']
    for phase in ('enroll', 'audit', 'provide'):
        out.write('ratio multiarch-ipxe/ipxe %-8s %.2f\n'
                  % (phase, ours[phase] / stock[phase]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
