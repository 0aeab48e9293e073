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

"""Reduce a :class:`~tests.parity.harness.Run` to comparable facts.

Only what the architecture legitimately changes is normalised away; each
rule here has a row in ``doc/parity.md``.
"""

import os
import re
import shlex

from tests.parity import harness

#: DHCP options whose value is the loader file name or URL. The name
#: legitimately differs (multiarch serves ``multiarch/<arch>/<loader>``),
#: so only the option's name, IP version and, for a URL (DHCPv6), its
#: scheme and server are compared.
BOOTFILE_OPTIONS = {'67', '59', 'tag:!ipxe,67', 'tag:!ipxe6,59',
                    '!175,67', '!175,59'}
#: ``tftp://<server>/`` of a bootfile URL.
_URL_SERVER = re.compile(r'^[a-z]+://[^/]*/')

UUID_RE = re.compile(harness.NODE_UUID)
ARCH_DIR_RE = re.compile(r'^multiarch/[^/]+/')

#: Kernel arguments that name files, and console= (per-arch console).
_PATH_ARGS = ('initrd=', 'console=')


def _bootfile_value(name, value):
    if name in BOOTFILE_OPTIONS:
        server = _URL_SERVER.match(value)
        return (server.group(0) if server else '') + '<bootfile>'
    return value


def dhcp_options(opts):
    """Option set: (name, value, ip version), bootfile values hidden."""
    return sorted((str(o.get('opt_name')),
                   _bootfile_value(str(o.get('opt_name')),
                                   str(o.get('opt_value'))),
                   o.get('ip_version', 4)) for o in opts)


def loader_name(opts):
    """Base name of the IPv4 loader the DHCP options point to."""
    for o in opts:
        if (str(o.get('opt_name')) in ('67', 'tag:!ipxe,67', '!175,67')
                and o.get('ip_version', 4) == 4):
            return os.path.basename(str(o['opt_value']))
    return None


def dhcp_calls(run):
    """Per step: the DHCP factory calls, in order."""
    return [[e[0] for e in step if e[0] in ('update_dhcp', 'clean_dhcp')]
            for step in run.events]


def dhcp_option_sets(run):
    """Per step: the option set of every update_dhcp and neutron call."""
    out = []
    for step in run.events:
        calls = []
        for e in step:
            if e[0] == 'update_dhcp':
                calls.append(('update_dhcp', dhcp_options(e[1])))
            elif e[0] == 'neutron_port':
                calls.append(('neutron_port', e[1], dhcp_options(e[2])))
        out.append(calls)
    return out


def _dnsmasq_line(line):
    # tag:<random per-node tag>,<option name>,<value>
    if line.startswith('tag:'):
        _, rest = line.split(',', 1)
        for name in sorted(BOOTFILE_OPTIONS, key=len, reverse=True):
            if rest.startswith(name + ','):
                return '<tag>,%s,%s' % (name, _bootfile_value(
                    name, rest[len(name) + 1:]))
        return '<tag>,' + rest
    # <mac>,set:<tag>,set:ironic
    return re.sub(r'set:[0-9a-f-]{36}', 'set:<tag>', line)


def dnsmasq_files(run):
    """Per step: the dnsmasq host and option files, tags hidden."""
    out = []
    for snap in run.snapshots:
        files = {}
        for rel, (kind, text, _mode) in snap['dnsmasq'].items():
            if kind == 'file':
                files[rel] = sorted(
                    _dnsmasq_line(x) for x in (text or '').splitlines())
        out.append(files)
    return out


def boot_device_calls(run):
    """Per step: boot device, boot mode and secure boot calls."""
    return [[e for e in step
             if e[0] in ('boot_device', 'set_boot_mode', 'secure_boot')]
            for step in run.events]


# --- config files -----------------------------------------------------

def _blocks(text):
    """Split a config into its entries: {label: [lines]} and the default."""
    lines = [x.strip() for x in text.splitlines()]
    default = None
    blocks = {}
    current = None
    for line in lines:
        low = line.lower()
        m = (re.match(r'set default=(\S+)', line)
             or re.match(r'default (\S+)', low) or re.match(r'goto (\S+)$',
                                                            line))
        if m and default is None and current is None:
            default = m.group(1).strip('"')
            continue
        m = (re.match(r'menuentry "([^"]+)"', line)
             or re.match(r'label (\S+)', low) or re.match(r':(\S+)$', line))
        if m:
            current = m.group(1)
            blocks[current] = []
            continue
        if current is not None:
            blocks[current].append(line)
    if default is None and blocks:
        default = next(iter(blocks))
    return default, blocks


def _clean_args(tokens):
    args = []
    skip = False
    for tok in tokens:
        if skip:
            skip = False
            continue
        if tok == '--timeout' or tok == '--name':
            skip = True
            continue
        if tok.startswith('--timeout='):
            continue
        if tok == '||':
            break
        if tok.startswith(_PATH_ARGS):
            continue
        args.append(tok)
    return args


def kernel_args(text):
    """The argument list of the default entry, or None.

    Drops the kernel path (first token), ``initrd=``, ``console=`` and the
    iPXE download options. ``ipa-global-request-id`` values differ per
    request and are replaced by ``<id>``.
    """
    if text is None:
        return None
    default, blocks = _blocks(text)
    if default is None and re.search(r'^\s*(sanboot|chain)', text, re.M):
        return 'local-boot'
    if default and ('whole_disk' in default or 'local' in default):
        # Netboot fallback to the local disk: stock chains chain.c32 or
        # exits, multiarch has its own local-boot entry; no kernel either
        # way.
        return 'local-boot'
    body = blocks.get(default)
    if body is None:
        return ('no entry', default)
    kernel = None
    append = []
    for line in body:
        first = line.split(' ', 1)[0].lower()
        if first in ('linux', 'linuxefi', 'kernel'):
            tokens = shlex.split(line, posix=False)[1:]
            tokens = _clean_args(tokens)
            kernel = tokens[1:] if tokens else []
        elif first == 'append':
            append = shlex.split(line, posix=False)[1:]
        elif first in ('sanboot', 'sanhook', 'com32', 'chain'):
            kernel = kernel if kernel is not None else []
            kernel.append('<%s>' % first)
    if kernel is None:
        return ('no kernel', default)
    args = kernel + _clean_args(append)
    return [re.sub(r'^(ipa-global-request-id)=.*', r'\1=<id>', a)
            for a in args]


#: Words stock's templates hard-code around the arguments.
TEMPLATE_WORDS = {'selinux=0', 'troubleshoot=0', 'text', 'root=/dev/ram0'}

#: Multiarch passes BOOTIF to GRUB too (pxelinux and iPXE already pass
#: it); see doc/parity.md.
GRUB_BOOTIF = 'BOOTIF=${net_default_mac}'


def kernel_arg_family(args, family):
    """Split an argument list into the families compared separately."""
    def kind(arg):
        if arg.startswith('ipa-global-request-id='):
            return 'request-id'
        if arg in TEMPLATE_WORDS or arg.startswith('boot_server='):
            return 'template'
        if arg.startswith('BOOTIF='):
            return 'bootif'
        return 'rest'
    return [a for a in args if kind(a) == family]


def config_path(interface):
    """Where the node's config lives (both stock and multiarch)."""
    root = 'http' if interface.endswith('ipxe') else 'tftp'
    return root, '%s/config' % harness.NODE_UUID


def _config_entry(snap, interface):
    """The node's config, wherever its interface wrote it.

    Stock ``http`` writes its GRUB config in the TFTP root, multiarch-http
    in the HTTP root, which GRUB booted over HTTP reads (doc/parity.md).
    """
    root, rel = config_path(interface)
    entry = snap[root].get(rel)
    if entry is None and interface == 'multiarch-http':
        entry = snap['http'].get(rel)
    return entry


def config_kernel_args(run, interface):
    out = []
    for snap in run.snapshots:
        entry = _config_entry(snap, interface)
        out.append(kernel_args(entry[1] if entry and entry[0] == 'file'
                               else None))
    return out


# --- files ------------------------------------------------------------

def _mac_names():
    names = set()
    for mac in harness.macs(8):
        dashes = mac.replace(':', '-')
        names.update({'pxelinux.cfg/01-' + dashes, 'pxelinux.cfg/' + dashes,
                      'grub.cfg-01-' + dashes, mac + '.conf'})
    names.update(ip + '.conf' for ip in harness.FIXED_IPS)
    return names


MAC_NAMES = _mac_names()


def loader_reads(interface, fmt):
    """Which kinds of per-MAC link a loader looks up."""
    if interface.endswith('ipxe'):
        return ('pxelinux.cfg/',)
    if fmt == 'grub':
        return ('grub.cfg-01-', '.conf')
    return ('pxelinux.cfg/01-',)


def _fmt(snap, interface):
    entry = _config_entry(snap, interface)
    if entry and entry[0] == 'file' and entry[1] is not None:
        if 'menuentry' in entry[1]:
            return 'grub'
    return 'pxelinux'


def node_files(snap, interface):
    """Per-node files and per-MAC links, with modes.

    Normalised: ``multiarch/<arch>/pxelinux.cfg/`` becomes
    ``pxelinux.cfg/`` (pxelinux looks its config up next to itself), and
    per-MAC links the node's loader never reads are dropped on both sides.
    """
    fmt = _fmt(snap, interface)
    reads = loader_reads(interface, fmt)
    files = {}
    for root in ('tftp', 'http'):
        for rel, (kind, text, mode) in snap[root].items():
            name = ARCH_DIR_RE.sub('', rel)
            if rel.startswith(harness.NODE_UUID):
                files['%s:%s' % (root, UUID_RE.sub('<node>', rel))] = (
                    kind, mode)
            elif name in MAC_NAMES:
                if not any(name.startswith(r) if r.endswith('/') or
                           r.endswith('-') else name.endswith(r)
                           for r in reads):
                    continue
                target = text and UUID_RE.sub('<node>', text)
                files['%s:%s' % (root, name)] = (kind, target)
    if interface == 'multiarch-http':
        # Which root: stock http writes its GRUB config and links in the
        # TFTP root, multiarch-http in the HTTP root (doc/parity.md).
        files = {'root:' + k.split(':', 1)[1]: v for k, v in files.items()}
    return files


def files(run, interface):
    return [node_files(s, interface) for s in run.snapshots]


def boot_script_nics(run):
    """NIC indexes iPXE's boot.ipxe tries ('all' for a loop)."""
    snap = run.snapshots[-1] if run.snapshots else None
    if not snap:
        return None
    entry = snap['http'].get('boot.ipxe')
    if not entry or entry[0] != 'file':
        return None
    text = entry[1]
    if '${net${netid}/mac' in text:
        return 'all'
    return sorted({int(n) for n in re.findall(r'\$\{net(\d+)/mac', text)})


def error(run):
    return run.error
