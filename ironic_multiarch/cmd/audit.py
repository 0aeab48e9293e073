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

"""``ironic-multiarch audit``: the whole fleet against the planner.

Two paginated listings (nodes and ports, only the fields needed), never
one request per node, unless the inspection inventories are asked for
(``--check-inventory``: one more request per node). Every node is checked
from plain data by :func:`audit`, which unit tests call directly.
"""

import collections
import os
import sys


from ironic_multiarch.cmd import audit_names
from ironic_multiarch.cmd.audit_report import Problem
from ironic_multiarch.cmd.audit_report import render
from ironic_multiarch.cmd.audit_report import Report
from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import file_hrefs
from ironic_multiarch.cmd import plan as plan_cmd
from ironic_multiarch import exception
from ironic_multiarch import facts as facts_mod
from ironic_multiarch import plan as planner
from ironic_multiarch import tree

#: Boot interfaces of this plugin.
MULTIARCH_INTERFACES = ('multiarch-pxe', 'multiarch-ipxe', 'multiarch-http',
                        'multiarch-http-ipxe')
#: Ironic's own network boot interfaces, which ignore cpu_arch.
STOCK_NETBOOT_INTERFACES = ('pxe', 'ipxe', 'http', 'http-ipxe')
DEFAULT_PAGE_SIZE = 1000

NO_CPU_ARCH = 'no-cpu-arch'
UNKNOWN_CPU_ARCH = 'unknown-cpu-arch'
BOOT_MODE = 'impossible-boot-mode'
NO_IMAGES = 'no-images'
NOT_MULTIARCH = 'not-multiarch-aware'
LOADER_MISSING = 'loader-missing'
PLAN_FAILED = 'plan-failed'
NO_PXE_PORT = 'no-pxe-port'
ALIAS_CPU_ARCH = 'alias-cpu-arch'
UNMATCHED_BY_ARCH = 'unmatched-by-arch-key'
INVENTORY_DISAGREES = 'inventory-disagrees'
FILE_URL_NOT_ALLOWED = 'file-url-not-allowed'

def _classify(exc):
    if isinstance(exc, exception.MissingSetting) and (
            'kernel' in exc.problem or 'ramdisk' in exc.problem):
        return NO_IMAGES
    return PLAN_FAILED


def check_node(node, ports, settings, profiles, extra_kernel_params=(),
               default_boot_mode='uefi', file_root=None, _exists=None,
               file_url_allowed_paths=None):
    """Check one node; return ``(arch, boot mode, problems)``.

    :param node: node dict (API fields).
    :param ports: the node's port dicts, or ``None`` if ports are not
        checked.
    :param settings: planner settings.
    :param profiles: installed profiles by name.
    :param extra_kernel_params: what the conductor adds in deploy mode.
    :param default_boot_mode: ``[deploy]default_boot_mode``.
    :param file_root: a readable TFTP root to look for loader files in,
        or ``None`` not to look.
    :param file_url_allowed_paths: Ironic's
        ``[conductor]file_url_allowed_paths``, to check ``file://``
        kernels and ramdisks against, or ``None`` not to.
    """
    uuid, name = node.get('uuid'), node.get('name')
    interface = node.get('boot_interface') or ''
    problems = []

    def add(code, message):
        problems.append(Problem(uuid, name, code, message))

    facts = facts_mod.node_facts(node, ports or (), mode=planner.DEPLOY,
                                 extra_kernel_params=extra_kernel_params,
                                 default_boot_mode=default_boot_mode)
    try:
        arch = planner.resolve_arch(facts, settings, profiles).value
    except exception.MissingSetting as exc:
        add(NO_CPU_ARCH, str(exc))
        return '(none)', facts.boot_mode, problems
    except exception.PlanError as exc:
        add(UNKNOWN_CPU_ARCH, str(exc))
        return str(facts.cpu_arch), facts.boot_mode, problems
    profile = profiles[arch]
    if facts.cpu_arch and facts.cpu_arch != arch:
        add(ALIAS_CPU_ARCH, 'Node %s (cpu_arch %s): %s is an alias of %s. '
            'The planner accepts it, but Ironic compares cpu_arch as it is '
            '(the [conductor] and [pxe] *_by_arch options, the stock boot '
            'interfaces): set the canonical name, openstack baremetal node '
            'set --property cpu_arch=%s %s.'
            % (name or uuid, facts.cpu_arch, facts.cpu_arch, arch, arch,
               name or uuid))
    if interface not in MULTIARCH_INTERFACES:
        return arch, facts.boot_mode, problems
    if ports is not None and not facts.ports:
        add(NO_PXE_PORT, 'Node %s (cpu_arch %s): no PXE-enabled port, so '
            'nothing can network-boot it. Create one, for example openstack '
            'baremetal port create --node %s --pxe-enabled true '
            '52:54:00:12:34:56.' % (name or uuid, arch, uuid))
        return arch, facts.boot_mode, problems
    bad_mode = (facts.boot_mode not in planner.BOOT_MODES
                or profile.method_for(facts.boot_mode) is None)
    try:
        bp = planner.plan(facts, settings, profiles)
    except exception.PlanError as exc:
        add(BOOT_MODE if bad_mode else _classify(exc), str(exc))
        return arch, facts.boot_mode, problems
    try:
        file_hrefs.check_plan(bp, file_url_allowed_paths, name or uuid)
    except exception.InvalidSetting as exc:
        add(FILE_URL_NOT_ALLOWED, str(exc))
    if file_root is not None:
        for f, path in tree.missing_loaders(file_root, bp.loader_files,
                                            _exists or os.path.exists):
            add(LOADER_MISSING, 'Node %s (cpu_arch %s): loader file %s '
                'is missing. Copy it there%s.'
                % (name or uuid, arch, path,
                   ' from %s' % f.source.value if f.source else
                   ' or set [multiarch_%s]loader_paths' % arch))
    return arch, facts.boot_mode, problems


def _not_multiarch(stock, fleet):
    """Problems of stock network boot interfaces in a mixed fleet."""
    if len(fleet) < 2:
        return []
    arches = ', '.join(sorted(fleet))
    problems = []
    for uuid, name, arch, interface in stock:
        kind = 'ipxe' if 'ipxe' in interface else 'pxe'
        problems.append(Problem(
            uuid, name, NOT_MULTIARCH,
            'Node %s (cpu_arch %s): boot interface %s ignores cpu_arch in a '
            'fleet of %s. Set it to multiarch-%s, for example openstack '
            'baremetal node set --boot-interface multiarch-%s %s.'
            % (name or uuid, arch, interface, arches, kind, kind,
               name or uuid)))
    return problems


def audit(nodes, ports, settings, profiles, extra_kernel_params=(),
          default_boot_mode='uefi', file_root=None, progress=None,
          by_arch=None, inventory=None, file_url_allowed_paths=None,
          conductor_group=None):
    """Audit a fleet from plain data.

    :param nodes: node dicts (API fields), or an iterable of pages of
        them (lists), checked as they arrive.
    :param ports: port dicts with ``node_uuid``, or ``None`` when ports
        are not checked.
    :param progress: optional :class:`~ironic_multiarch.cmd.common.Progress`.
    :param by_arch: Ironic's ``*_by_arch`` options, ``{'[group]name':
        {key: value}}``, whose keys are checked against the fleet's
        ``cpu_arch`` values, or ``None`` not to check them.
    :param inventory: ``uuid -> inventory dict or None`` (``None``: the
        node has no stored inventory), to compare each node's inspected
        CPU architecture with its ``cpu_arch``; ``None`` not to.
    :param file_url_allowed_paths: see :func:`check_node`.
    :param conductor_group: audit only the nodes of this conductor group
        (``''``: those in none), or every node when ``None``.
    :returns: :class:`Report`.
    """
    known, aliases = planner.known_architectures(settings, profiles)
    by_node = None
    if ports is not None:
        by_node = collections.defaultdict(list)
        for port in ports:
            by_node[port.get('node_uuid')].append(port)
    cache = {}

    def exists(path):
        if path not in cache:
            cache[path] = os.path.exists(path)
        return cache[path]

    summary = collections.defaultdict(lambda: [0, 0])
    found_by_node = {}
    fleet, stock, count = set(), [], 0
    raw_arches = collections.defaultdict(list)
    inventories = [0, 0]
    wanted = None if conductor_group is None else conductor_group.lower()
    group_of = {}
    for page in _pages(nodes):
        for node in page:
            group = node.get('conductor_group') or ''
            if wanted is not None and group != wanted:
                continue
            group_of[node.get('uuid')] = group
            count += 1
            arch, boot_mode, found = check_node(
                node, None if by_node is None
                else by_node.get(node.get('uuid'), ()),
                settings, profiles, extra_kernel_params, default_boot_mode,
                file_root, _exists=exists,
                file_url_allowed_paths=file_url_allowed_paths)
            interface = node.get('boot_interface') or ''
            cpu_arch = (node.get('properties') or {}).get('cpu_arch')
            if isinstance(cpu_arch, str) and cpu_arch:
                raw_arches[cpu_arch].append(
                    node.get('name') or node.get('uuid'))
            if inventory is not None:
                text = audit_names.inventory_disagreement(
                    node, cpu_arch, inventory, inventories, known, aliases)
                if text:
                    found.append(Problem(node.get('uuid'), node.get('name'),
                                         INVENTORY_DISAGREES, text))
            if arch in profiles:
                fleet.add(arch)
                if interface in STOCK_NETBOOT_INTERFACES:
                    stock.append((node.get('uuid'), node.get('name'), arch,
                                  interface))
            found_by_node[node.get('uuid')] = (
                (arch, boot_mode or '', interface), found)
        if progress and count:
            progress.update('checked %d nodes' % count)
    for problem in _not_multiarch(stock, fleet):
        found_by_node[problem.node][1].insert(0, problem)
    problems = []
    groups = collections.defaultdict(lambda: [0, 0])
    for uuid, (key, found) in found_by_node.items():
        summary[key][0] += 1
        groups[group_of[uuid]][0] += 1
        if found:
            summary[key][1] += 1
            groups[group_of[uuid]][1] += 1
            problems.extend(found)
    if by_arch is not None:
        problems.extend(by_arch_problems(by_arch, raw_arches, known,
                                         aliases))
    notes = []
    if inventory is not None:
        notes.append('inspection inventory compared for %d nodes; %d have '
                     'no stored inventory (never inspected, or the '
                     'inspection data is not kept)' % tuple(inventories))
    if progress:
        progress.done()
    return Report(summary=dict(summary), problems=problems, notes=notes,
                  nodes=count, ports=len(ports) if ports is not None else 0,
                  groups=dict(groups))


def by_arch_problems(tables, raw_arches, known, aliases):
    """Keys of Ironic's ``*_by_arch`` options that no node's cpu_arch is.

    See :func:`ironic_multiarch.cmd.audit_names.unmatched_by_arch_keys`.

    :returns: list of :class:`Problem` (``node`` and ``name`` ``None``).
    """
    return [Problem(None, None, UNMATCHED_BY_ARCH, text)
            for text in audit_names.unmatched_by_arch_keys(
                tables, raw_arches, known, aliases)]


def _pages(nodes):
    """Accept a flat list of nodes or an iterable of pages."""
    if isinstance(nodes, (list, tuple)) and (
            not nodes or isinstance(nodes[0], dict)):
        return [nodes]
    return nodes


def add_arguments(parser):
    """Add the ``audit`` arguments (not the cloud ones) to a parser."""
    parser.add_argument('--page-size', type=int, default=DEFAULT_PAGE_SIZE,
                        help='Items per API request (the API limit; '
                             'default %d).' % DEFAULT_PAGE_SIZE)
    parser.add_argument('--check-ports', action='store_true',
                        help='Also list the ports (one more paginated '
                             'listing) and check every multiarch node has '
                             'a PXE-enabled port whose fields plan.')
    parser.add_argument('--check-inventory', action='store_true',
                        help='Also compare the CPU architecture of each '
                             "node's inspection inventory with its cpu_arch "
                             '(GET /v1/nodes/NODE/inventory: one request '
                             'per node, so slow on a large fleet; needs '
                             'API microversion %s).'
                             % audit_names.INVENTORY_MICROVERSION)
    parser.add_argument('--check-files', action='store_true',
                        help='Also check that loader files exist in the '
                             'TFTP root of this host (when readable).')
    parser.add_argument('--conductor-group', metavar='GROUP',
                        help='Audit only the nodes of this conductor group '
                             '("" for those in none) against this '
                             'configuration: where conductor groups shard '
                             'the fleet by architecture, run it once per '
                             'group with that group\'s configuration.')
    common.add_config_argument(parser)
    common.add_format_argument(parser)


def fetch(conn, page_size, progress=None, check_ports=True):
    """One paginated listing of ports (if checked), then of nodes.

    :returns: ``(node pages, ports or None)``; node pages are fetched
        while the caller checks the previous one.
    """
    version = common.microversion(conn)
    fields = [f for f in plan_cmd.NODE_FIELDS + ('conductor_group',)
              if version != common.MIN_MICROVERSION
              or f not in ('boot_mode', 'conductor_group')]
    ports = None
    if check_ports:
        ports = common.list_all(
            conn, 'ports', plan_cmd.PORT_FIELDS, page_size, version=version,
            on_page=lambda n: progress and progress.update(
                'listed %d ports' % n))
    pages = common.iter_pages(conn, 'nodes', fields, page_size,
                              version=version)
    return pages, ports


def run(args, connect, out=None, err=None):
    """Run ``audit``; exit status 1 when any problem is found."""
    out = out or sys.stdout
    err = err or sys.stderr
    if args.page_size < 1:
        raise common.UsageError('--page-size must be at least 1')
    ctx = common.load_context(common.config_files(args.config_file))
    settings = ctx.require_settings()
    file_root, notes = None, []
    if args.check_files:
        root = ctx.values.get('pxe/tftp_root')
        if root and os.access(root, os.R_OK | os.X_OK):
            file_root = root
        else:
            notes.append('loader files not checked: TFTP root %s is not '
                         'readable here' % root)
    by_arch = audit_names.read_by_arch(ctx.conf)
    progress = common.Progress(err)
    conn = connect()
    inventory = (audit_names.inventory_reader(conn)
                 if getattr(args, 'check_inventory', False) else None)
    pages, ports = fetch(conn, args.page_size, progress, args.check_ports)
    report = audit(pages, ports, settings, ctx.profiles,
                   ctx.extra_kernel_params(planner.DEPLOY),
                   ctx.default_boot_mode, file_root, progress,
                   by_arch=by_arch, inventory=inventory,
                   file_url_allowed_paths=ctx.file_url_allowed_paths,
                   conductor_group=getattr(args, 'conductor_group', None))
    progress.done()
    report.notes.extend(notes)
    out.write(render(report, args.format))
    return common.EXIT_PROBLEMS if report.problems else common.EXIT_OK
