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

"""``tools/demo.sh`` (``python -m multiarch_lab.demo``): one real Ironic, a hybrid fleet, what each boots.

Starts an all-in-one Ironic with this plugin in a temporary directory,
enrolls an x86_64 BIOS, an x86_64 UEFI (iPXE), an aarch64 UEFI and a
ppc64le node plus one misconfigured node, brings the good nodes to
``clean wait`` (the moment their network boot files exist), prints what
each will boot as read back from the files Ironic wrote, then aborts
cleaning and stops Ironic. Exits non-zero if any step fails.
"""

import argparse
import logging
import os
import re
import shutil
import sys
import tempfile
import time

from multiarch_lab import demo_fleet
from multiarch_lab import standalone

LOG = logging.getLogger(__name__)

#: DHCP options that only name the server (shown in the config file).
_DHCP_SERVER_OPTS = ('66', '150', '255')
_KERNEL = re.compile(r'^\s*(?:linux|linuxefi|kernel)\s+(?:--\S+\s+\S+\s+)*'
                     r'(\S+)', re.M | re.I)
_RAMDISK = re.compile(r'^\s*(?:initrd|initrdefi)\s+(?:--\S+\s+\S+\s+)*(\S+)',
                      re.M | re.I)
_RAMDISK_ARG = re.compile(r'\binitrd=(\S+)')


def say(text=''):
    """Print one line of the demo's output."""
    print(text, flush=True)


def enroll(conn, fleet, driver):
    """Create the nodes and their ports; return ``{name: node}``."""
    nodes = {}
    for name, arch, mode, boot, mac in fleet:
        node = conn.baremetal.create_node(**demo_fleet.node_fields(
            name, arch, mode, boot, driver=driver))
        conn.baremetal.create_port(node_id=node.id, address=mac,
                                   pxe_enabled=True)
        nodes[name] = node
    return nodes


def failures(conn, node, interfaces=('boot', 'power', 'management')):
    """Return ``{interface: reason}`` of the failed validations."""
    result = conn.baremetal.validate_node(node, required=None)
    return {i: result[i].reason for i in interfaces if not result[i].result}


def dhcp_options(ironic, node):
    """Parse the dnsmasq options file Ironic wrote for a node.

    :returns: list of ``(tags, option, value)``; ``tags`` leaves out the
        port's own tag.
    """
    opts = os.path.join(ironic.dnsmasq_opts_dir, 'ironic-%s.conf' % node.id)
    result = []
    with open(opts) as f:
        for line in f.read().splitlines():
            parts = line.split(',')
            tags = [p[4:] for p in parts if p.startswith('tag:')]
            rest = parts[len(tags):]
            result.append((tags[1:], rest[0], ','.join(rest[1:])))
    return result


def read_boot(ironic, node):
    """Read back what a node will boot from the files Ironic wrote.

    :returns: dict of loader, config, kernel, ramdisk, console, dhcp.
    """
    dhcp = dhcp_options(ironic, node)
    bootfiles = [v for t, o, v in dhcp if o == '67' and t in ([], ['!ipxe'])]
    if not bootfiles and any(o == '209' for t, o, v in dhcp):
        bootfiles = ['(none: petitboot, 209)']
    configs = [os.path.join(root, node.id, 'config')
               for root in (ironic.tftp_root, ironic.http_root)]
    config = next(c for c in configs if os.path.exists(c))
    with open(config) as f:
        text = f.read()
    kernel = _KERNEL.search(text)
    ramdisk = _RAMDISK.search(text) or _RAMDISK_ARG.search(text)
    consoles = dict.fromkeys(re.findall(r'\bconsole=(\S+)', text))
    return {'loader': ' '.join(bootfiles) or '-',
            'dhcp': ' '.join('%s%s=%s' % ('[%s]' % ','.join(t) if t else '',
                                          o, v)
                             for t, o, v in dhcp
                             if o not in _DHCP_SERVER_OPTS),
            'config': os.path.relpath(config, ironic.workdir),
            'kernel': kernel.group(1) if kernel else '-',
            'ramdisk': ramdisk.group(1) if ramdisk else '-',
            'console': ' '.join(consoles) or '-'}


def print_table(rows, columns):
    """Print dicts as an aligned table."""
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    for row in [dict(zip(columns, columns))] + rows:
        say('  '.join(str(row[c]).ljust(w) for c, w in zip(columns, widths))
            .rstrip())


def tree(root, base):
    """Return a compact ``find``-like listing, symlinks as ``a -> b``.

    :param root: directory to list.
    :param base: absolute link targets under it are shown relative to it.
    """
    lines = []
    for directory, dirs, files in os.walk(root):
        for name in files + [d for d in dirs
                             if os.path.islink(os.path.join(directory, d))]:
            path = os.path.join(directory, name)
            line = os.path.relpath(path, root)
            if os.path.islink(path):
                target = os.readlink(path)
                if os.path.isabs(target):
                    target = os.path.relpath(target, base)
                line = '%s -> %s' % (line, target)
            lines.append(line)
    return ['%s/' % os.path.relpath(root, base)] + [
        '  ' + line for line in sorted(lines)]


def _shorten(text, short):
    for uuid, prefix in short.items():
        text = text.replace(uuid, prefix)
    return text


def run(workdir, driver):
    """Run the demo in ``workdir``; raise on any failure."""
    started = time.monotonic()
    conf = demo_fleet.multiarch_conf(workdir)
    with standalone.StandaloneIronic(workdir, extra_conf=conf) as ironic:
        say('Ironic %s is up (%.1fs), work dir %s'
            % (ironic.url, time.monotonic() - started, workdir))
        conn = ironic.connection()
        nodes = enroll(conn, demo_fleet.NODES + (demo_fleet.BAD_NODE,),
                       driver)
        bad = nodes.pop(demo_fleet.BAD_NODE[0])
        say('\nValidation of %s (%s, boot_mode %s):'
            % ((bad.name,) + demo_fleet.BAD_NODE[1:3]))
        bad_failures = failures(conn, bad)
        if 'boot' not in bad_failures:
            raise RuntimeError('%s passed boot validation' % bad.name)
        say('  boot: %s' % bad_failures['boot'])
        for node in nodes.values():
            failed = failures(conn, node)
            if failed:
                raise RuntimeError('%s fails validation: %s'
                                   % (node.name, failed))
        for node in nodes.values():
            conn.baremetal.set_node_provision_state(node, 'manage')
        conn.baremetal.wait_for_nodes_provision_state(
            list(nodes.values()), 'manageable', timeout=30)
        for node in nodes.values():
            conn.baremetal.set_node_provision_state(node, 'provide')
        conn.baremetal.wait_for_nodes_provision_state(
            list(nodes.values()), 'clean wait', timeout=30)
        say('\n%d nodes in clean wait after %.1fs; what each boots '
            '(read from the files Ironic wrote):\n'
            % (len(nodes), time.monotonic() - started))
        short = {n.id: n.id[:8] for n in nodes.values()}
        rows = []
        for name, arch, mode, boot, mac in demo_fleet.NODES:
            row = {'node': '%s (%s)' % (name, short[nodes[name].id]),
                   'arch': arch,
                   'firmware': '%s, %s' % (mode or 'default', boot)}
            row.update(read_boot(ironic, nodes[name]))
            rows.append({k: _shorten(v, short) for k, v in row.items()})
        print_table(rows, ['node', 'arch', 'firmware', 'loader', 'config',
                           'kernel', 'ramdisk', 'console'])
        say('\nDHCP options (dnsmasq opts files, [tag]option=value):')
        for row in rows:
            say('  %s: %s' % (row['node'], row['dhcp']))
        for root in (ironic.tftp_root, ironic.http_root):
            say()
            for line in tree(root, workdir):
                say(_shorten(line, short))
        for node in nodes.values():
            conn.baremetal.set_node_provision_state(node, 'abort')
        conn.baremetal.wait_for_nodes_provision_state(
            list(nodes.values()), 'clean failed', timeout=30,
            abort_on_failed_state=False)
        for node in nodes.values():
            conn.baremetal.set_node_provision_state(node, 'manage')
        conn.baremetal.wait_for_nodes_provision_state(
            list(nodes.values()), 'manageable', timeout=30)
        for node in list(nodes.values()) + [bad]:
            conn.baremetal.delete_node(node)
        say('\nCleaning aborted, nodes deleted; stopping Ironic.')
    say('Done in %.1fs.' % (time.monotonic() - started))


def main(argv=None):
    """Entry point of ``tools/demo.sh`` (``python -m multiarch_lab.demo``); returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--driver', default='multiarch-manual',
                        help='hardware type of the nodes (default: '
                             '%(default)s; fake-hardware also works)')
    parser.add_argument('--workdir', help='use this directory and keep it '
                        '(default: a temporary one, removed at the end)')
    parser.add_argument('--debug', action='store_true')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARN)
    workdir = args.workdir or tempfile.mkdtemp(prefix='ironic-multiarch-')
    try:
        run(os.path.abspath(workdir), args.driver)
    except Exception as exc:
        LOG.debug('Demo failed', exc_info=True)
        say('FAILED: %s' % exc)
        log = os.path.join(workdir, 'ironic.log')
        if os.path.exists(log):
            say('Ironic log: %s' % log)
            args.workdir = workdir  # keep it for inspection
        return 1
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
