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

"""prepare_ramdisk of the multiarch interfaces vs Ironic's stock ones.

In-process, on Ironic's own sqlite test database: the same node, the same
file:// deploy images and the same conductor settings; only the boot
interface differs. Prints the median time per call and the ratio
multiarch/stock (target: no slower, i.e. <= 1.0).
"""

import statistics
import time

from tests.driver import base

ITERATIONS = 150


class _Bench(base.MultiarchDbTestCase):
    """Borrows the driver tests' conductor set-up."""

    def runTest(self):  # pragma: no cover - never run as a test
        pass

    def measure(self, boot_interface, cpu_arch, boot_mode, iterations):
        images = {'deploy_kernel': self.image(cpu_arch, 'deploy_kernel'),
                  'deploy_ramdisk': self.image(cpu_arch, 'deploy_ramdisk')}
        node = self.make_node(
            cpu_arch, boot_mode, boot_interface, driver_info=images,
            provision_state='cleaning',
            uuid='5a1e0000-0000-4000-8000-%012d' % len(self.nodes),
            mac='52:54:00:be:00:%02x' % len(self.nodes),
            port_uuid='5a1e0001-0000-4000-8000-%012d' % len(self.nodes))
        self.nodes.append(node)
        times = []
        for _ in range(iterations):
            with self.acquire(node) as task:
                started = time.perf_counter()
                task.driver.boot.prepare_ramdisk(
                    task, {'ipa-api-url': base.API_URL})
                times.append(time.perf_counter() - started)
                task.driver.boot.clean_up_ramdisk(task)
        return statistics.median(times)


def run(iterations=ITERATIONS, out=print):
    """Measure both pairs; return ``{pair: ratio}``."""
    bench = _Bench()
    bench.setUp()
    bench.nodes = []
    bench.config(enabled_boot_interfaces=['multiarch-pxe', 'multiarch-ipxe',
                                          'pxe', 'ipxe', 'fake'])
    try:
        ratios = {}
        for ours, stock, arch, mode in (
                ('multiarch-pxe', 'pxe', 'x86_64', 'uefi'),
                ('multiarch-ipxe', 'ipxe', 'x86_64', 'uefi')):
            # warm both (image cache, templates), then alternate rounds
            for iface in (ours, stock):
                bench.measure(iface, arch, mode, 5)
            got = {ours: [], stock: []}
            for _ in range(3):
                for iface in (ours, stock):
                    got[iface].append(bench.measure(iface, arch, mode,
                                                    iterations // 3))
            a, b = min(got[ours]), min(got[stock])
            ratios[(ours, stock)] = a / b
            out('prepare_ramdisk %-15s %7.2f ms   %-5s %7.2f ms   '
                'ratio %.2f (target <= 1.00)'
                % (ours, a * 1000, stock, b * 1000, a / b))
        return ratios
    finally:
        bench.doCleanups()


if __name__ == '__main__':
    run()
