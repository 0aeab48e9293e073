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

"""Churn: 1,000 prepare/clean-up cycles leave nothing stale behind.

A stale per-MAC link would boot a reused MAC with another machine's
plan. DHCP is left as Ironic's own interfaces leave it: clean-up of the
ramdisk never tells dnsmasq to ignore a node (the deploy interface does
that at tear-down), so each node keeps its own tag and options. Nodes change architecture, boot mode and boot
interface between cycles, so their per-MAC links change kind.
"""

import os

from tests.driver import base

CYCLES = 1000
NODES = 10
#: (cpu_arch, boot mode, boot interface) the nodes cycle through.
KINDS = (('x86_64', 'bios', 'multiarch-pxe'),
         ('aarch64', 'uefi', 'multiarch-pxe'),
         ('x86_64', 'uefi', 'multiarch-ipxe'),
         ('ppc64le', 'uefi', 'multiarch-pxe'),
         ('aarch64', 'uefi', 'multiarch-ipxe'),
         ('x86_64', 'uefi', 'multiarch-pxe'),
         ('ppc64le', 'bios', 'multiarch-ipxe'))


class ChurnTestCase(base.MultiarchDbTestCase):

    def _nodes(self):
        nodes = []
        for i in range(NODES):
            nodes.append(self.make_node(
                'x86_64', uuid='1be26c0b-03f2-4d2e-ae87-c02d7f33%04x' % i,
                mac='52:54:00:aa:00:%02x' % i,
                port_uuid='c1ed3e0a-9e52-4b2a-8f3e-0c1a2b3c%04x' % i,
                name='churn-%d' % i, provision_state='cleaning'))
        return nodes

    def _entries(self, root):
        """Every file and link below ``root``, relative."""
        found = set()
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                full = os.path.join(dirpath, name)
                if os.path.islink(full) or not os.path.isdir(full):
                    found.add(os.path.relpath(full, root))
        return found

    def test_thousand_cycles_leave_nothing_behind(self):
        nodes = self._nodes()
        with self.acquire(nodes[0]):
            pass  # the boot interfaces place loaders when they load
        baseline = {r: self._entries(r) for r in (self.tftp, self.http)}
        for cycle in range(CYCLES):
            node = nodes[cycle % NODES]
            arch, mode, iface = KINDS[(cycle // NODES + cycle) % len(KINDS)]
            node.properties = {'cpu_arch': arch,
                               'capabilities': 'boot_mode:%s' % mode}
            node.boot_interface = iface
            node.save()
            with self.acquire(node) as task:
                boot_plan = task.driver.boot.plan(task)
                task.driver.boot.prepare_ramdisk(
                    task, {'ipa-api-url': base.API_URL})
                if cycle % 7 == 0:
                    # prepared twice in a row (a retried clean step)
                    task.driver.boot.prepare_ramdisk(
                        task, {'ipa-api-url': base.API_URL})
                if cycle % 50 == 0:
                    self._only_planned_links(boot_plan)
                task.driver.boot.clean_up_ramdisk(task)
        for root in (self.tftp, self.http):
            self.assertEqual(baseline[root], self._entries(root))
        self.assertEqual(
            sorted('ironic-%s.conf' % n.uuid for n in nodes),
            sorted(os.listdir(self.opts_dir)))
        hosts = os.path.join(self.tmp, 'dnsmasq', 'hosts')
        for node in nodes:
            node.refresh()
            tag = node.driver_internal_info['dnsmasq_tag']
            mac = node.name and '52:54:00:aa:00:%02x' % int(
                node.name.split('-')[1])
            self.assertEqual('%s,set:%s,set:ironic\n' % (mac, tag),
                             self.read(hosts, 'ironic-%s.conf' % mac))
            lines = self.read(self.opts_dir,
                              'ironic-%s.conf' % node.uuid).splitlines()
            self.assertTrue(lines)
            for line in lines:
                self.assertTrue(line.startswith('tag:%s,' % tag), line)

    def _only_planned_links(self, boot_plan):
        roots = {'tftp': self.tftp, 'http': self.http}
        for root_name, root in roots.items():
            for name in self._entries(root):
                if not os.path.islink(os.path.join(root, name)):
                    continue
                target = os.path.realpath(os.path.join(root, name))
                self.assertTrue(os.path.exists(target), name)
                if boot_plan.node in target:
                    self.assertEqual(boot_plan.config_root, root_name)
                    self.assertIn(name, boot_plan.links)
