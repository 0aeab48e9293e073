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

"""``ironic-multiarch plan``: what a node boots, and why.

Fetches a node and its ports from the Bare Metal API (or takes the facts
of a node not enrolled yet from the command line), then calls the same
planner the conductor calls, with the settings read from the conductor's
ironic.conf. The config text printed is byte for byte the file the
conductor writes at ``<root>/<uuid>/config``.
"""

import argparse
import sys
import uuid as uuid_mod

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import file_hrefs
from ironic_multiarch import exception
from ironic_multiarch import facts as facts_mod
from ironic_multiarch import plan as planner
from ironic_multiarch import safety

#: Node fields the planner reads.
NODE_FIELDS = ('uuid', 'name', 'properties', 'driver_info', 'instance_info',
               'boot_interface', 'boot_mode', 'driver', 'provision_state')
#: Port fields the planner reads.
PORT_FIELDS = ('address', 'node_uuid', 'pxe_enabled', 'extra')
#: Namespace of the UUIDs given to offline plans without ``--uuid``.
OFFLINE_NAMESPACE = uuid_mod.UUID('6f1c2f0e-8c1e-4b5e-9a43-2f6d1b0c7a11')


#: the boot interfaces ``plan`` can plan a node for.
INTERFACES = ('multiarch-pxe', 'multiarch-ipxe', 'multiarch-http',
              'multiarch-http-ipxe')


def _mac_argument(value):
    """``--mac``: a MAC address, as argparse's type (usage error if not)."""
    try:
        return safety.mac(value)
    except exception.UnsafeValue:
        raise argparse.ArgumentTypeError(
            'not a MAC address: %r (for example 52:54:00:12:34:56)' % value)


def add_arguments(parser):
    """Add the ``plan`` arguments (not the cloud ones) to a parser."""
    parser.add_argument('node', nargs='?', metavar='NODE',
                        help='Name or UUID of an enrolled node.')
    parser.add_argument('--mode', choices=planner.MODES,
                        default=planner.DEPLOY,
                        help='deploy (also cleaning, inspection), rescue, '
                             'or instance (ramdisk/netboot instance).')
    offline = parser.add_argument_group(
        'offline planning', 'Plan a node that is not enrolled yet, from '
        'these facts instead of NODE.')
    offline.add_argument('--arch', help='cpu_arch, e.g. aarch64.')
    offline.add_argument('--boot-mode', choices=planner.BOOT_MODES,
                         help="Boot mode (default: the conductor's "
                              "[deploy]default_boot_mode).")
    offline.add_argument('--mac', action='append', default=[],
                         type=_mac_argument,
                         help='MAC of a PXE port (repeatable).')
    offline.add_argument('--uuid',
                         help='Node UUID (default: derived from the MACs, '
                              'so that the output is repeatable).')
    offline.add_argument('--name', help='Node name, for messages.')
    offline.add_argument('--interface', default='multiarch-pxe',
                         choices=INTERFACES,
                         help='Boot interface (%s).' % ', '.join(INTERFACES))
    offline.add_argument('--driver-info', action='append', default=[],
                         metavar='KEY=VALUE',
                         help='driver_info entry, e.g. deploy_kernel=URL '
                              '(repeatable).')
    out = parser.add_mutually_exclusive_group()
    out.add_argument('--show-config', action='store_true',
                     help='Print the config file text after the table.')
    out.add_argument('--config-only', action='store_true',
                     help='Print only the config file text, exactly as the '
                          'conductor writes it.')
    common.add_config_argument(parser)
    common.add_format_argument(parser)


def offline_node(args, default_boot_mode):
    """Build node and port dicts from the offline arguments.

    :returns: ``(node, ports)`` in the API's plain-data shape.
    :raises UsageError: on missing or malformed arguments.
    """
    if not args.arch or not args.mac:
        raise common.UsageError('give NODE, or --arch and at least one '
                                '--mac to plan a node not enrolled yet')
    macs = [m.lower() for m in args.mac]
    node_uuid = args.uuid or str(uuid_mod.uuid5(
        OFFLINE_NAMESPACE, ','.join(sorted(macs))))
    driver_info = {}
    for item in args.driver_info:
        key, sep, value = item.partition('=')
        if not sep or not key:
            raise common.UsageError('--driver-info takes KEY=VALUE, not %r'
                                    % item)
        driver_info[key] = value
    node = {'uuid': node_uuid, 'name': args.name,
            'properties': {'cpu_arch': args.arch,
                           'capabilities': 'boot_mode:%s' % (
                               args.boot_mode or default_boot_mode)},
            'driver_info': driver_info, 'instance_info': {},
            'boot_interface': args.interface}
    ports = [{'address': m, 'pxe_enabled': True, 'extra': {}} for m in macs]
    return node, ports


def fetch_node(conn, ident, version=common.MICROVERSION):
    """Fetch a node and its ports (two requests).

    :returns: ``(node, ports)`` as plain dicts.
    :raises UsageError: if there is no such node.
    """
    fields = [f for f in NODE_FIELDS
              if version != common.MIN_MICROVERSION or f != 'boot_mode']
    node = common.api_get(conn, '/nodes/%s' % ident,
                          params={'fields': ','.join(fields)},
                          version=version)
    ports = common.list_all(conn, 'ports', PORT_FIELDS, 1000,
                            params={'node_uuid': node['uuid']},
                            version=version)
    return node, ports


def make_plan(ctx, node, ports, mode=planner.DEPLOY):
    """Plan a node exactly as the conductor does.

    :param ctx: :class:`~ironic_multiarch.cmd.common.Context`.
    :returns: ``(BootPlan, Chosen architecture)``.
    :raises PlanError: if the node cannot be planned.
    """
    settings = ctx.require_settings()
    facts = facts_mod.node_facts(
        node, ports, mode=mode,
        extra_kernel_params=ctx.extra_kernel_params(mode),
        default_boot_mode=ctx.default_boot_mode)
    arch = planner.resolve_arch(facts, settings, ctx.profiles)
    return planner.plan(facts, settings, ctx.profiles), arch


def rows(bp, arch_source=''):
    """The table rows (field, value, source) of a plan."""
    def chosen(label, c):
        return (label, c.value, c.source)

    result = [
        ('node', bp.node, ''),
        ('architecture', bp.arch, arch_source),
        ('boot mode', bp.boot_mode, ''),
        ('firmware', '%s (%s)' % (bp.firmware, bp.method), ''),
        ('mode', bp.mode, ''),
        chosen('loader', bp.loader),
        ('bootfile', bp.bootfile or '(none: firmware reads the config)', ''),
        ('config', '%s:%s (%s)' % (bp.config_root, bp.config_path,
                                   bp.config_format), ''),
        ('mac links', '\n'.join(bp.links), ''),
        chosen('kernel', bp.kernel),
        ('', bp.kernel_path and '-> %s:%s' % (bp.image_root,
                                              bp.kernel_path), ''),
        chosen('ramdisk', bp.ramdisk),
        ('', bp.ramdisk_path and '-> %s:%s' % (bp.image_root,
                                               bp.ramdisk_path), ''),
        chosen('kernel params', bp.kernel_params),
        chosen('console', bp.console),
        ('template', '', bp.template.source),
        ('dhcp options', '\n'.join('%s=%s' % (o['opt_name'], o['opt_value'])
                                   for o in bp.dhcp_options), ''),
    ]
    for f in bp.loader_files:
        if f.link:
            result.append(('loader link', '%s -> %s' % (f.path, f.link),
                           'shim fetches %s from the root' % f.name))
            continue
        result.append(('loader file', f.path,
                       ('%s (%s)' % (f.source.value, f.source.source))
                       if f.source else 'no source path: copy it there'))
    return [row for row in result if any(row)]


def render(bp, arch_source, name=None, fmt='table', show_config=False,
           config_only=False):
    """Return the text ``plan`` prints for a plan."""
    if config_only:
        return bp.config_text
    if fmt == 'json':
        data = bp.as_dict()
        data['name'] = name
        data['arch_source'] = arch_source
        return common.format_json(data)
    text = common.format_table(('FIELD', 'VALUE', 'SOURCE'),
                               rows(bp, arch_source))
    if show_config:
        text += '\n# %s:%s\n%s' % (bp.config_root, bp.config_path,
                                   bp.config_text)
    return text


def run(args, connect, out=None, err=None):
    """Run ``plan``.

    :param args: parsed arguments.
    :param connect: callable returning an openstacksdk connection.
    :returns: exit status.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    ctx = common.load_context(common.config_files(args.config_file))
    ctx.require_settings()
    if args.node:
        if args.arch or args.mac or args.uuid:
            raise common.UsageError('give NODE or the offline facts '
                                    '(--arch, --mac, ...), not both')
        conn = connect()
        node, ports = fetch_node(conn, args.node, common.microversion(conn))
    else:
        node, ports = offline_node(args, ctx.default_boot_mode)
    try:
        bp, arch = make_plan(ctx, node, ports, args.mode)
        file_hrefs.check_plan(bp, ctx.file_url_allowed_paths,
                              node.get('name') or node.get('uuid'))
    except exception.PlanError as exc:
        if args.format == 'json' and not args.config_only:
            out.write(common.format_json({
                'node': node.get('uuid'), 'name': node.get('name'),
                'error': str(exc), 'problem': exc.problem,
                'option': exc.option, 'example': exc.example}))
        err.write('error: %s\n' % exc)
        return common.EXIT_PROBLEMS
    out.write(render(bp, arch.source, node.get('name'), args.format,
                     args.show_config, args.config_only))
    return common.EXIT_OK
