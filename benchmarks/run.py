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

"""The project's benchmarks, each printed as a ratio measured in this run.

``python -m benchmarks.run`` (from the repository root, in the project's
virtualenv; ``bash tools/benchmark.sh`` does both):

1. ``prepare_ramdisk`` of multiarch-pxe/multiarch-ipxe vs Ironic's stock
   pxe/ipxe on the same node and images (target: ratio <= 1.0);
2. planning 10,000 nodes (target: under one second);
3. ``audit`` of 10,000 nodes against a real Ironic vs a bare paginated
   node list of the same fields (target: within 1.2x), with the number
   of API requests each made.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

from benchmarks import prepare_ramdisk
from ironic_multiarch.cmd import audit as audit_cmd
from ironic_multiarch.cmd import common
from multiarch_lab import demo_fleet
from multiarch_lab import standalone
from tests import fleet


def bench_planning(count=10000):
    """Plan ``count`` nodes of every kind; returns seconds."""
    settings = fleet.settings()
    facts = [fleet.facts(i) for i in range(count)]
    started = time.perf_counter()
    for node in facts:
        fleet.planner.plan(node, settings, fleet.PROFILES)
    elapsed = time.perf_counter() - started
    print('plan %d nodes            %7.3f s   target 1.000 s   ratio %.2f '
          '(target <= 1.00)' % (count, elapsed, elapsed))
    return elapsed


class _Counter(object):
    """Counts the HTTP requests an openstacksdk session sends."""

    def __init__(self, conn):
        self.count = 0
        session = conn.session.session  # the requests.Session underneath
        session.hooks['response'].append(self._hook)

    def _hook(self, resp, *args, **kwargs):
        self.count += 1


def bench_audit(count=10000, page_size=1000):
    """Audit ``count`` nodes on a real Ironic vs a bare node list."""
    with tempfile.TemporaryDirectory() as workdir:
        server = standalone.StandaloneIronic(
            workdir, extra_conf=demo_fleet.multiarch_conf(workdir))
        with server:
            started = time.perf_counter()
            subprocess.run([sys.executable, os.path.join(
                os.path.dirname(__file__), 'populate.py'),
                server.conf_file, str(count)], check=True)
            print('(enrolled %d nodes and ports in %.1f s)'
                  % (count, time.perf_counter() - started))
            ctx = common.load_context([server.conf_file])
            results = {}
            for label in ('bare', 'audit', 'ports', 'bare', 'audit', 'ports'):
                conn = server.connection()
                common.microversion(conn)  # version discovery, not timed
                counter = _Counter(conn)
                started = time.perf_counter()
                if label == 'bare':
                    nodes = common.list_all(
                        conn, 'nodes', audit_cmd.plan_cmd.NODE_FIELDS,
                        page_size)
                    assert len(nodes) == count
                else:
                    pages, ports = audit_cmd.fetch(
                        conn, page_size, check_ports=label == 'ports')
                    report = audit_cmd.audit(
                        pages, ports, ctx.settings, ctx.profiles,
                        ctx.extra_kernel_params('deploy'),
                        ctx.default_boot_mode)
                    assert report.nodes == count and not report.problems, (
                        report.problems[:3])
                elapsed = time.perf_counter() - started
                best = results.get(label)
                if best is None or elapsed < best[0]:
                    results[label] = (elapsed, counter.count)
    bare, bare_req = results['bare']
    for label, name in (('audit', 'audit'), ('ports', 'audit --check-ports')):
        took, requests = results[label]
        print('%-19s %d nodes %7.3f s (%d requests)   bare node list %.3f s '
              '(%d requests)   ratio %.2f (target <= 1.20)'
              % (name, count, took, requests, bare, bare_req, took / bare))
    return results['audit'][0] / bare


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--nodes', type=int, default=10000)
    parser.add_argument('--skip-audit', action='store_true')
    args = parser.parse_args(argv)
    prepare_ramdisk.run()
    bench_planning(args.nodes)
    if not args.skip_audit:
        bench_audit(args.nodes)


if __name__ == '__main__':
    main()
