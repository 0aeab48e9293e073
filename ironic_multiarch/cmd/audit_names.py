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

"""``audit``'s checks of architecture names against the fleet.

Ironic looks its ``*_by_arch`` options up with a node's ``cpu_arch``
exactly as it is set, and inspection reports the CPU architecture a node
really has: these compare both with the names the fleet uses. Messages
only; :mod:`ironic_multiarch.cmd.audit` makes them problems.
"""

import collections

from oslo_config import cfg

from ironic_multiarch import arch as arch_mod
from ironic_multiarch.cmd import common
from ironic_multiarch.conf import ironic as ironic_conf

#: Ironic's options keyed by ``cpu_arch`` (or ``<cpu_arch>-<boot_mode>``)
#: that the audit reads besides the planning ones.
EXTRA_BY_ARCH = (('pxe', 'pxe_config_template_by_arch'),
                 ('conductor', 'bootloader_by_arch'))
#: The boot modes of composite ``<arch>-<boot_mode>`` keys.
KEY_BOOT_MODES = ('uefi', 'bios')
#: The microversion of ``GET /v1/nodes/{node}/inventory``.
INVENTORY_MICROVERSION = '1.81'


def canonical_name(value, known, aliases):
    """The canonical name of ``value``, or ``None`` if it has none."""
    try:
        return arch_mod.normalize(value, known, aliases)
    except ValueError:
        return None


def inventory_disagreement(node, cpu_arch, inventory, counts, known,
                           aliases):
    """Compare a node's inspected CPU architecture with its cpu_arch.

    :param inventory: ``uuid -> inventory or None``.
    :param counts: ``[compared, without inventory]``, updated.
    :returns: what disagrees, as one message, or ``None``.
    """
    uuid, name = node.get('uuid'), node.get('name')
    data = inventory(uuid)
    if data is None:
        counts[1] += 1
        return None
    counts[0] += 1
    cpu = data.get('cpu') if isinstance(data, dict) else None
    reported = cpu.get('architecture') if isinstance(cpu, dict) else None
    if not cpu_arch or not isinstance(reported, str) or not reported:
        return None
    mine = canonical_name(cpu_arch, known, aliases) or cpu_arch.lower()
    theirs = canonical_name(reported, known, aliases) or reported.lower()
    if mine == theirs:
        return None
    label = name or uuid
    return (
        'Node %s (cpu_arch %s): its inspection inventory reports CPU '
        'architecture %s, so one of them is wrong. If the inventory is '
        'right, openstack baremetal node set --property cpu_arch=%s %s; '
        'if cpu_arch is right, the inventory came from another machine: '
        "check the node's ports and BMC address and inspect it again "
        '(openstack baremetal node inspect %s).'
        % (label, cpu_arch, reported, theirs, label, label))


def split_key(key):
    """``'aarch64-uefi'`` -> ``('aarch64', '-uefi')``; else ``(key, '')``."""
    for mode in KEY_BOOT_MODES:
        if key.endswith('-' + mode) and len(key) > len(mode) + 1:
            return key[:-len(mode) - 1], '-' + mode
    return key, ''


def unmatched_by_arch_keys(tables, raw_arches, known, aliases):
    """Keys of Ironic's ``*_by_arch`` options that no node's cpu_arch is.

    Ironic looks these options up with the node's ``cpu_arch`` exactly as
    it is (the bootfile ones first with ``<cpu_arch>-<boot_mode>``).

    :param tables: ``{'[group]name': {key: value}}``.
    :param raw_arches: ``{cpu_arch as set on nodes: [node names]}``.
    :param known: enabled canonical names.
    :param aliases: alias -> canonical name.
    :returns: list of messages, one per key.
    """
    by_canonical = collections.defaultdict(list)
    for value in sorted(raw_arches):
        by_canonical[canonical_name(value, known, aliases)].append(value)
    problems = []
    for option in sorted(tables):
        for key in sorted(tables[option] or {}):
            arch, suffix = split_key(key)
            if arch in raw_arches:
                continue
            canonical = canonical_name(arch, known, aliases)
            used = [v for v in by_canonical.get(canonical, ())
                    if canonical is not None]
            text = ('%s has the key %s, but no node has cpu_arch %s, so '
                    "Ironic's own lookups never match it. "
                    % (option, key, arch))
            if canonical in used:
                text += ('The nodes are %s: rename the key to %s%s.'
                         % (canonical, canonical, suffix))
            elif used:
                nodes = sorted(n for v in used for n in raw_arches[v])
                text += ('Nodes %s have cpu_arch %s, aliases of %s: set '
                         'their cpu_arch to %s (openstack baremetal node '
                         'set --property cpu_arch=%s NODE), and the key '
                         'matches them.'
                         % (', '.join(nodes[:5])
                            + (' and %d more' % (len(nodes) - 5)
                               if len(nodes) > 5 else ''),
                            ', '.join(used), canonical, canonical,
                            canonical))
            else:
                text += ('Remove it, or fix the key to the cpu_arch of '
                         'the nodes it is meant for (in this fleet: %s).'
                         % (', '.join(sorted(raw_arches)) or 'no nodes'))
            problems.append(text)
    return problems


def read_by_arch(conf):
    """Ironic's ``*_by_arch`` options of a conductor's configuration.

    :param conf: the CLI's private ``ConfigOpts`` (Ironic's planning
        options mirrored on it).
    :returns: ``{'[group]name': {key: value}}``.
    """
    tables = {}
    for group, name in ironic_conf.BY_ARCH + EXTRA_BY_ARCH:
        try:
            conf.register_opt(cfg.DictOpt(name, default={}), group=group)
        except cfg.DuplicateOptError:
            pass
        try:
            tables['[%s]%s' % (group, name)] = dict(conf[group][name] or {})
        except (cfg.Error, ValueError) as exc:
            raise common.UsageError('invalid value of [%s]%s: %s'
                                    % (group, name, exc))
    return tables


def inventory_reader(conn):
    """Return ``uuid -> inventory or None`` reading the inventory API.

    :raises UsageError: if the API is older than
        :data:`INVENTORY_MICROVERSION`.
    """
    top = common.max_microversion(conn)
    wanted = tuple(int(p) for p in INVENTORY_MICROVERSION.split('.'))
    if top is not None and top < wanted:
        raise common.UsageError(
            '--check-inventory needs the node inventory API (microversion '
            '%s); this Bare Metal API goes up to %s. Leave the option out.'
            % (INVENTORY_MICROVERSION, '.'.join(str(p) for p in top)))

    def read(uuid):
        resp = conn.baremetal.get('/nodes/%s/inventory' % uuid,
                                  microversion=INVENTORY_MICROVERSION,
                                  raise_exc=False)
        if resp.status_code == 404:
            return None
        if resp.status_code >= 400:
            raise RuntimeError('Bare Metal API error %s reading the '
                               'inventory of node %s: %s'
                               % (resp.status_code, uuid,
                                  common._api_error(resp)))
        return resp.json().get('inventory')

    return read
