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

"""Inspection hook ``multiarch-architecture``.

For Ironic's built-in inspection (the ``agent`` inspect interface, and on
releases that have it the ``redfish`` one): it takes the CPU architecture
the inventory reports, turns it into the canonical ``cpu_arch`` name of an
enabled architecture profile (``arm64`` -> ``aarch64``, ``ppc64el`` ->
``ppc64le``, ``amd64`` -> ``x86_64``, Redfish ``ARM-A64``/``PowerISA``/
``x86-64``, the profiles' aliases and ``[multiarch]arch_aliases``) and
stores that in ``properties/cpu_arch``.

It never writes an empty or unknown value, and never silently changes an
architecture the node already has: in those cases inspection fails, the
node goes to ``inspect failed`` and its ``last_error`` says what the
inventory reported, what the node has and how to fix it. A node whose
architecture cannot be planned would fail at deploy time anyway; failing
inspection says so while the operator is looking.

Enable it in place of Ironic's ``architecture`` hook::

    [inspector]
    hooks = ramdisk-error,validate-interfaces,ports,multiarch-architecture

It also works after ``architecture`` (``hooks = $default_hooks,
multiarch-architecture``): it remembers the node's ``cpu_arch`` before
any hook ran, checks against that and puts it back when it refuses.
Listed *before* ``architecture`` it would be undone by it, and a warning
is logged when the hook is loaded.
"""

import weakref

from oslo_config import cfg
from oslo_log import log as logging

from ironic.common import exception
from ironic.drivers.modules.inspector.hooks import base

from ironic_multiarch import arch as arch_mod
from ironic_multiarch.driver import config
from ironic_multiarch import exception as ma_exc
from ironic_multiarch import plan as planner

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

#: The entry point name of this hook (``ironic.inspection.hooks``).
NAME = 'multiarch-architecture'
#: Ironic's own hook that copies the inventory's value as it is.
IRONIC_HOOK = 'architecture'

#: Redfish ``Processor.InstructionSet`` values (lower case) and what they
#: are in a fleet this plugin boots. ``PowerISA`` does not say the byte
#: order: the Power machines this plugin boots (OpenPOWER, petitboot) run
#: the little-endian agent, so it is ``ppc64le``.
REDFISH_ALIASES = {name: arch_mod.ALIASES[name]
                   for name in ('x86-64', 'arm-a64', 'powerisa')}

#: The hook option of each inspect interface (the second only on
#: releases whose ``redfish`` inspect interface runs hooks).
_HOOK_OPTIONS = (('inspector', 'hooks'), ('redfish', 'inspection_hooks'))
_UNSEEN = object()


def known_architectures(profiles, settings):
    """Return ``(enabled canonical names, alias table)`` of a conductor.

    :param profiles: installed profiles by name.
    :param settings: planner settings.
    :returns: the canonical names of the enabled, installed profiles, and
        alias -> canonical name (the built-in ones, incl.
        :data:`REDFISH_ALIASES`, for enabled targets), see
        :func:`ironic_multiarch.plan.known_architectures`.
    """
    return planner.known_architectures(settings, profiles)


def check(node, reported, current, known, aliases):
    """Decide the ``cpu_arch`` to store from an inventory.

    Pure: no Ironic, no I/O.

    :param node: node name or UUID (for messages).
    :param reported: ``inventory['cpu']['architecture']`` (any type, may
        be missing: ``None``).
    :param current: the node's ``cpu_arch`` before inspection, or
        ``None``/empty.
    :param known: enabled canonical names.
    :param aliases: alias -> canonical name.
    :returns: the canonical name to store.
    :raises ValueError: with the message for ``last_error``, when the
        inventory has no or an unknown architecture, or it disagrees with
        the node's ``cpu_arch``.
    """
    accepted = arch_mod.accepted(known, dict(arch_mod.ALIASES, **aliases))
    if reported is None or (isinstance(reported, str)
                            and not reported.strip()):
        raise ValueError(
            'Node %s: the inspection inventory reports no CPU architecture '
            '(cpu.architecture is %s), so cpu_arch is left as it is (%s). '
            'Check the ramdisk: ironic-python-agent reports the kernel\'s '
            'machine name (uname -m); a Redfish BMC may not report the '
            'processor instruction set. Then inspect again, or set it '
            'yourself: openstack baremetal node set --property '
            'cpu_arch=<one of %s> %s.'
            % (node, 'missing' if reported is None else 'empty',
               current or 'not set', ', '.join(known), node))
    try:
        name = arch_mod.normalize(reported, known, aliases)
    except ValueError:
        raise ValueError(
            'Node %s: the inspection inventory reports CPU architecture %r, '
            'which is not an enabled architecture (accepted: %s), so '
            'cpu_arch is left as it is (%s). If it is another name of one '
            'of them, add it to [multiarch]arch_aliases as %s:<canonical '
            'name>; if the architecture is new, install and enable its '
            'profile in [multiarch]enabled_architectures; then inspect '
            'again.' % (node, reported, accepted, current or 'not set',
                        str(reported).lower())) from None
    if current:
        try:
            before = arch_mod.normalize(current, known, aliases)
        except ValueError:
            before = None
        if before != name:
            shown = reported if reported == name else '%s (%s)' % (reported,
                                                                   name)
            raise ValueError(
                'Node %s: the inspection inventory reports CPU architecture '
                '%s, but the node has cpu_arch %s; cpu_arch is left '
                'as it is. If the inventory is right (the node record was '
                'wrong), unset it and inspect again: openstack baremetal '
                'node unset --property cpu_arch %s. If cpu_arch is right, '
                'the inventory comes from another machine: check the '
                "node's ports and BMC address."
                % (node, shown, current, node))
    return name


def _ordering_problem(hooks):
    """Say why a hook list undoes this hook, or return ``None``."""
    names = [h.strip() for h in hooks.split(',') if h.strip()]
    if NAME in names and IRONIC_HOOK in names and (
            names.index(IRONIC_HOOK) > names.index(NAME)):
        return ('Ironic\'s %s hook runs after %s and writes the raw '
                'inventory value over the canonical one'
                % (IRONIC_HOOK, NAME))
    return None


class MultiarchArchitectureHook(base.InspectionHook):
    """Store the canonical ``cpu_arch``; refuse empty, unknown, conflicting.

    See the module documentation for how to enable it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()
        # The node's cpu_arch before any hook of this inspection ran
        # (Ironic's own hook may already have overwritten it).
        self._before = weakref.WeakKeyDictionary()
        for group, option in _HOOK_OPTIONS:
            try:
                hooks = CONF[group][option]
            except (cfg.NoSuchOptError, cfg.NoSuchGroupError, KeyError):
                continue
            problem = _ordering_problem(hooks or '')
            if problem:
                LOG.warning('[%(group)s]%(option)s = %(hooks)s: %(problem)s. '
                            'Remove %(ironic)s or list %(name)s after it.',
                            {'group': group, 'option': option,
                             'hooks': hooks, 'problem': problem,
                             'ironic': IRONIC_HOOK, 'name': NAME})

    def preprocess(self, task, inventory, plugin_data):
        """Remember the node's ``cpu_arch`` before any hook changes it."""
        self._before[task] = task.node.properties.get('cpu_arch')

    def __call__(self, task, inventory, plugin_data):
        """Store the canonical architecture or fail the inspection.

        :raises HardwareInspectionFailure: naming the node, the values and
            the fix.
        """
        node = task.node
        label = node.name or node.uuid
        current = self._before.pop(task, _UNSEEN)
        if current is _UNSEEN:
            current = node.properties.get('cpu_arch')
        cpu = inventory.get('cpu') if isinstance(inventory, dict) else None
        reported = cpu.get('architecture') if isinstance(cpu, dict) else None
        try:
            profiles, settings, _values = config.load()
            known, aliases = known_architectures(profiles, settings)
            name = check(label, reported, current, known, aliases)
        except ma_exc.ConfigError as exc:
            self._refuse(task, current,
                         'Node %s: the multiarch configuration of this '
                         'conductor is invalid, so the CPU architecture %r '
                         'of the inventory cannot be checked: %s'
                         % (label, reported, exc))
        except ValueError as exc:
            self._refuse(task, current, str(exc))
        if node.properties.get('cpu_arch') != name:
            LOG.info('Node %(node)s: CPU architecture %(reported)s from the '
                     'inspection inventory stored as cpu_arch %(name)s',
                     {'node': node.uuid, 'reported': reported, 'name': name})
            node.set_property('cpu_arch', name)
            node.save()

    @staticmethod
    def _refuse(task, before, message):
        """Put back the node's ``cpu_arch`` if it changed; fail."""
        node = task.node
        if node.properties.get('cpu_arch') != before:
            # Ironic's own hook ran first and wrote the inventory's value.
            if before:
                node.set_property('cpu_arch', before)
            else:
                props = dict(node.properties)
                props.pop('cpu_arch', None)
                node.properties = props
            node.save()
        LOG.error(message)
        raise exception.HardwareInspectionFailure(error=message)
