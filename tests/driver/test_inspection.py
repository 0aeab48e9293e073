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

"""The ``multiarch-architecture`` inspection hook, in process."""

import ironic.tests.unit  # noqa: F401  (must come first)

from unittest import mock

import stevedore

from ironic.common import exception
from ironic.drivers.modules.inspector.hooks import architecture

from ironic_multiarch.driver import inspection
from ironic_multiarch import exception as ma_exc
from tests.driver import base

KNOWN = ('x86_64', 'aarch64', 'ppc64le')
ALIASES = dict(inspection.REDFISH_ALIASES)


def inventory(architecture=None):
    cpu = {'model_name': 'Neoverse-N1', 'count': 80}
    if architecture is not None:
        cpu['architecture'] = architecture
    return {'cpu': cpu, 'interfaces': [
        {'name': 'eth0', 'mac_address': '52:54:00:12:34:56'}]}


class CheckTestCase(base.MultiarchDbTestCase):
    """The pure decision, with the messages an operator reads."""

    def test_aliases_and_redfish_values(self):
        for reported, expected in (
                ('x86_64', 'x86_64'), ('amd64', 'x86_64'),
                ('x86-64', 'x86_64'), ('AMD64', 'x86_64'),
                ('aarch64', 'aarch64'), ('arm64', 'aarch64'),
                ('ARM-A64', 'aarch64'), ('ppc64le', 'ppc64le'),
                ('ppc64el', 'ppc64le'), ('PowerISA', 'ppc64le')):
            self.assertEqual(expected, inspection.check(
                'n1', reported, None, KNOWN, ALIASES), reported)

    def test_alias_on_the_node_agrees(self):
        self.assertEqual('aarch64', inspection.check(
            'n1', 'aarch64', 'arm64', KNOWN, ALIASES))
        self.assertEqual('ppc64le', inspection.check(
            'n1', 'PowerISA', 'ppc64el', KNOWN, ALIASES))

    def test_missing_architecture(self):
        exc = self.assertRaises(ValueError, inspection.check, 'n1', None,
                                None, KNOWN, ALIASES)
        self.assertEqual(
            "Node n1: the inspection inventory reports no CPU architecture "
            "(cpu.architecture is missing), so cpu_arch is left as it is "
            "(not set). Check the ramdisk: ironic-python-agent reports the "
            "kernel's machine name (uname -m); a Redfish BMC may not report "
            "the processor instruction set. Then inspect again, or set it "
            "yourself: openstack baremetal node set --property "
            "cpu_arch=<one of x86_64, aarch64, ppc64le> n1.", str(exc))

    def test_empty_architecture(self):
        exc = self.assertRaises(ValueError, inspection.check, 'n1', '  ',
                                'aarch64', KNOWN, ALIASES)
        self.assertIn('(cpu.architecture is empty), so cpu_arch is left as '
                      'it is (aarch64).', str(exc))

    def test_unknown_architecture(self):
        exc = self.assertRaises(ValueError, inspection.check, 'n1',
                                'riscv64', None, ('x86_64', 'aarch64'),
                                {'arm-a64': 'aarch64'})
        self.assertEqual(
            "Node n1: the inspection inventory reports CPU architecture "
            "'riscv64', which is not an enabled architecture (accepted: "
            "aarch64 (aa64, arm-a64, arm64), x86_64 (amd64, x64, x86-64)), "
            "so cpu_arch is left as it is (not set). If it "
            "is another name of one of them, add it to "
            "[multiarch]arch_aliases as riscv64:<canonical name>; if the "
            "architecture is new, install and enable its profile in "
            "[multiarch]enabled_architectures; then inspect again.", str(exc))

    def test_disabled_architecture_is_unknown(self):
        self.assertRaises(ValueError, inspection.check, 'n1', 'PowerISA',
                          None, ('x86_64',), {})

    def test_disagreement(self):
        exc = self.assertRaises(ValueError, inspection.check, 'n1', 'arm64',
                                'x86_64', KNOWN, ALIASES)
        self.assertEqual(
            "Node n1: the inspection inventory reports CPU architecture "
            "arm64 (aarch64), but the node has cpu_arch x86_64; cpu_arch is "
            "left as it is. If the inventory is right (the node record was "
            "wrong), unset it and inspect again: openstack baremetal node "
            "unset --property cpu_arch n1. If cpu_arch is right, the "
            "inventory comes from another machine: check the node's ports "
            "and BMC address.", str(exc))

    def test_unknown_value_on_the_node_disagrees(self):
        exc = self.assertRaises(ValueError, inspection.check, 'n1',
                                'aarch64', 'sparc64', KNOWN, ALIASES)
        self.assertIn('reports CPU architecture aarch64, but the node has '
                      'cpu_arch sparc64;', str(exc))

    def test_known_architectures_of_the_conductor(self):
        self.config(enabled_architectures=['x86_64', 'aarch64'],
                    arch_aliases={'armv8': 'aarch64'}, group='multiarch')
        profiles, settings, _ = inspection.config.load()
        known, aliases = inspection.known_architectures(profiles, settings)
        self.assertEqual(('x86_64', 'aarch64'), known)
        self.assertEqual('aarch64', aliases['armv8'])
        self.assertEqual('aarch64', aliases['arm-a64'])
        self.assertNotIn('powerisa', aliases)


class HookTestCase(base.MultiarchDbTestCase):
    """The hook on a node, as Ironic's inspection runs it."""

    def setUp(self):
        super().setUp()
        self.hook = inspection.MultiarchArchitectureHook()

    def run_hooks(self, node, inv, hooks):
        with self.acquire(node) as task:
            for hook in hooks:
                hook.preprocess(task, inv, {})
            for hook in hooks:
                hook(task, inv, {})
        node.refresh()
        return node

    def test_entry_point_loads_like_ironic_loads_it(self):
        mgr = stevedore.NamedExtensionManager(
            'ironic.inspection.hooks', names=[inspection.NAME],
            invoke_on_load=True, name_order=True)
        self.assertIsInstance(mgr[inspection.NAME].obj,
                              inspection.MultiarchArchitectureHook)

    def test_alias_stored_canonical(self):
        node = self.run_hooks(self.make_node(None), inventory('arm64'),
                              [self.hook])
        self.assertEqual('aarch64', node.properties['cpu_arch'])

    def test_node_alias_replaced_by_canonical(self):
        node = self.run_hooks(self.make_node('ppc64el'),
                              inventory('ppc64le'), [self.hook])
        self.assertEqual('ppc64le', node.properties['cpu_arch'])

    def test_missing_cpu_refused_and_nothing_written(self):
        node = self.make_node(None)
        exc = self.assertRaises(exception.HardwareInspectionFailure,
                                self.run_hooks, node,
                                {'interfaces': []}, [self.hook])
        self.assertIn('Node %s: the inspection inventory reports no CPU '
                      'architecture (cpu.architecture is missing)'
                      % node.uuid, str(exc))
        node.refresh()
        self.assertNotIn('cpu_arch', node.properties)

    def test_disagreement_refused(self):
        node = self.make_node('x86_64', name='r650-07')
        exc = self.assertRaises(exception.HardwareInspectionFailure,
                                self.run_hooks, node, inventory('aarch64'),
                                [self.hook])
        self.assertIn('Node r650-07: the inspection inventory reports CPU '
                      'architecture aarch64, but the node has cpu_arch '
                      'x86_64', str(exc))
        node.refresh()
        self.assertEqual('x86_64', node.properties['cpu_arch'])

    def test_after_ironic_hook_alias_made_canonical(self):
        node = self.run_hooks(self.make_node(None), inventory('arm64'),
                              [architecture.ArchitectureHook(), self.hook])
        self.assertEqual('aarch64', node.properties['cpu_arch'])

    def test_after_ironic_hook_disagreement_puts_value_back(self):
        node = self.make_node('x86_64')
        self.assertRaises(exception.HardwareInspectionFailure,
                          self.run_hooks, node, inventory('aarch64'),
                          [architecture.ArchitectureHook(), self.hook])
        node.refresh()
        self.assertEqual('x86_64', node.properties['cpu_arch'])

    def test_after_ironic_hook_empty_value_removed(self):
        node = self.make_node(None)
        self.assertRaises(exception.HardwareInspectionFailure,
                          self.run_hooks, node, inventory(''),
                          [architecture.ArchitectureHook(), self.hook])
        node.refresh()
        self.assertNotIn('cpu_arch', node.properties)

    def test_invalid_configuration_refused(self):
        node = self.make_node(None)
        broken = ma_exc.ConfigError(
            "[multiarch]arch_aliases: alias 'armv8' points to 'arm', which "
            "is not an installed profile")
        with self.acquire(node) as task, mock.patch.object(
                inspection.config, 'load', side_effect=broken):
            self.hook.preprocess(task, inventory('x86_64'), {})
            exc = self.assertRaises(exception.HardwareInspectionFailure,
                                    self.hook, task, inventory('x86_64'), {})
        self.assertIn(
            "Node %s: the multiarch configuration of this conductor is "
            "invalid, so the CPU architecture 'x86_64' of the inventory "
            "cannot be checked: [multiarch]arch_aliases: alias 'armv8' "
            "points to 'arm', which is not an installed profile"
            % node.uuid, str(exc))
        node.refresh()
        self.assertNotIn('cpu_arch', node.properties)

    def test_warns_when_ironic_hook_runs_after(self):
        self.config(hooks='ramdisk-error,multiarch-architecture,'
                          'architecture', group='inspector')
        with mock.patch.object(inspection.LOG, 'warning') as warning:
            inspection.MultiarchArchitectureHook()
        self.assertEqual(1, warning.call_count)
        self.assertIn("Ironic's architecture hook runs after "
                      'multiarch-architecture', warning.call_args[0][1][
                          'problem'])

    def test_no_warning_in_either_supported_order(self):
        for hooks in ('ramdisk-error,ports,multiarch-architecture',
                      'ports,architecture,multiarch-architecture'):
            self.config(hooks=hooks, group='inspector')
            with mock.patch.object(inspection.LOG, 'warning') as warning:
                inspection.MultiarchArchitectureHook()
            self.assertFalse(warning.called, hooks)
