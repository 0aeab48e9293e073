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

"""``ironic-multiarch doctor``: is this conductor host ready to boot?

Checks, against the conductor's ironic.conf: the plugin settings (as the
conductor loads them), the TFTP/HTTP settings, every enabled
architecture's loader files, its deploy and rescue images (``file://``
present, ``http(s)://`` answering a HEAD request) and that a node of each
architecture and boot method can be planned. Each check prints ``ok`` or
``FAIL`` with what to set; ``WARN`` marks a setting that is accepted but
serves no node (Ironic's global options that no architecture claims).
Each loader file's header is read and compared with the architecture it
is served to (PE machine of EFI binaries, ELF machine of Open Firmware
GRUB images and syslinux modules, no PE/ELF where a BIOS PXE program
belongs), and a shim with the GRUB it loads.
"""

import dataclasses
import filecmp
import os
import sys
import urllib.parse

from oslo_config import cfg

from ironic_multiarch import binaries
from ironic_multiarch.cmd import common
from ironic_multiarch import choices
from ironic_multiarch.conf import opts
from ironic_multiarch.conf import unknown
from ironic_multiarch import exception
from ironic_multiarch import loader_choice
from ironic_multiarch import plan as planner
from ironic_multiarch import precedence as prec

OK = 'ok'
FAIL = 'FAIL'
WARN = 'WARN'
#: Placeholder node the per-architecture checks plan.
PROBE_UUID = '00000000-0000-0000-0000-000000000000'
PROBE_MAC = '52:54:00:00:00:01'
HEAD_TIMEOUT = 5


@dataclasses.dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    name: str
    status: str
    detail: str

    def as_dict(self):
        """Plain-data form."""
        return dataclasses.asdict(self)


def head(url, timeout=HEAD_TIMEOUT):
    """Return ``None`` if ``url`` answers a HEAD request, else the error."""
    import requests

    try:
        resp = requests.head(url, timeout=timeout, allow_redirects=True)
    except requests.RequestException as exc:
        reason = getattr(exc, 'args', [''])[0]
        reason = getattr(reason, 'reason', reason)
        return 'HEAD %s failed: %s' % (url, type(exc).__name__ if not reason
                                        else str(reason)[:160])
    if resp.status_code >= 400:
        return 'HTTP %s' % resp.status_code
    return None


def check_href(href, _head=head):
    """Check an image reference; return ``None`` if fine, else the error."""
    scheme = urllib.parse.urlparse(href).scheme
    if scheme == 'file':
        path = urllib.parse.urlparse(href).path
        return None if os.path.isfile(path) else 'no file %s' % path
    if scheme in ('http', 'https'):
        return _head(href)
    return None  # Glance image or other service: not checked here


def _enabled_boot_interfaces(conf):
    try:
        conf.register_opt(cfg.ListOpt('enabled_boot_interfaces',
                                      default=['ipxe', 'pxe']))
    except cfg.DuplicateOptError:
        pass
    return list(conf.enabled_boot_interfaces)


def run_checks(ctx, _head=head):
    """Run every check.

    :param ctx: :class:`~ironic_multiarch.cmd.common.Context`.
    :returns: list of :class:`Check`.
    """
    checks = []

    def add(name, error, ok_detail, fix=None, warning=None):
        if any(c.name == name for c in checks):
            return
        if warning and not error:
            checks.append(Check(name, WARN, warning))
        elif error:
            checks.append(Check(name, FAIL, error + ('. ' + fix if fix
                                                       else '')))
        else:
            checks.append(Check(name, OK, ok_detail))

    add('configuration', ctx.error and str(ctx.error),
        'plugin settings load (%s)' % (', '.join(ctx.files) or 'defaults'))
    for item in unknown.find(ctx.files,
                             unknown.known_options(opts.list_opts())):
        add('configuration [%s]%s' % (item.group, item.option or ''),
            item.describe(), None)
    settings = ctx.settings
    if settings is None:
        return checks
    add('architectures', None if settings.enabled else 'none enabled',
        ', '.join(settings.enabled),
        'Set [multiarch]enabled_architectures, for example '
        'x86_64,aarch64')
    unclaimed = prec.unclaimed_globals(settings)
    if unclaimed:
        checks.append(Check(
            'global options', WARN,
            "set but claimed by no architecture, so no node uses them: %s. "
            'Set [multiarch]global_options_arch = x86_64 if they are built '
            'for x86_64 (or the architecture they are built for), or set '
            'the [multiarch_<arch>] options instead (deploy_kernel, '
            'deploy_ramdisk, rescue_kernel, rescue_ramdisk, loader_paths, '
            'console)' % ', '.join(unclaimed)))
    add('tftp_server', None if settings.tftp_server else 'not set',
        str(settings.tftp_server),
        'Set [pxe]tftp_server, for example 192.0.2.10')
    interfaces = _enabled_boot_interfaces(ctx.conf)
    ipxe = 'multiarch-ipxe' in interfaces
    need_http = settings.grub_http or ipxe
    add('http_url', None if settings.http_url or not need_http else
        'not set, but %s needs it' % ('multiarch-ipxe' if ipxe
                                     else '[multiarch]grub_http_delivery'),
        settings.http_url or 'not set (UEFI HTTP boot not served)',
        'Set [deploy]http_url, for example http://192.0.2.10:8080')
    tftp_root = ctx.values.get('pxe/tftp_root')
    http_root = ctx.values.get('deploy/http_root')
    for option, root in (('[pxe]tftp_root', tftp_root),
                         ('[deploy]http_root', http_root)):
        add(option, None if root and os.path.isdir(root) else
            'directory %s does not exist' % root, root,
            'Create it or set %s' % option)
    hrefs = {}
    for name in settings.enabled:
        profile = ctx.profiles[name]
        for method in choices.methods(settings, profile):
            for ipxe_node in ((False, True) if ipxe and method.ipxe_loader
                              else (False,)):
                _check_method(ctx, profile, method, ipxe_node, tftp_root,
                              add, hrefs, _head)
    return checks


def _check_method(ctx, profile, method, ipxe_node, tftp_root, add, hrefs,
                  _head):
    settings = ctx.settings
    label = '%s %s%s' % (profile.name, method.name,
                         ' ipxe' if ipxe_node else '')
    facts = planner.NodeFacts(
        uuid=PROBE_UUID, cpu_arch=profile.name,
        boot_mode=method.boot_modes[0], ports=(planner.Port(PROBE_MAC),),
        ipxe=ipxe_node,
        extra_kernel_params=ctx.extra_kernel_params(planner.DEPLOY))
    try:
        bp = planner.plan(facts, settings, ctx.profiles)
    except exception.PlanError as exc:
        add('%s plan' % label, '%s: %s' % (exc.problem, exc.option)
            + (', for example %s' % exc.example if exc.example else ''),
            '')
        return
    add('%s plan' % label, None, 'loader %s, %s config'
        % (bp.loader.value, bp.config_format))
    for f in bp.loader_files:
        placed = tftp_root and os.path.isfile(os.path.join(tftp_root, f.path))
        source = f.source.value if f.source else None
        if f.link and (placed or (source and os.path.isfile(source))):
            _check_root_link(label, f, tftp_root, placed, add)
        elif placed:
            add('%s loader %s' % (label, f.name), None,
                os.path.join(tftp_root, f.path))
        elif source and os.path.isfile(source):
            add('%s loader %s' % (label, f.name), None,
                '%s (from %s)' % (source, f.source.source))
        else:
            own = '[multiarch_%s]loader_paths' % profile.name
            fix = 'Set %s, for example %s:/srv/loaders/%s' % (
                own, f.name, f.name)
            unclaimed = (f.name in settings.ironic.loader_file_paths
                         and prec.unclaimed_hint(
                             settings, prec.LOADER_FILE_PATHS, profile.name,
                             own))
            if unclaimed:
                fix = '%s. Set %s, for example %s:/srv/loaders/%s' % (
                    unclaimed[0], unclaimed[1], f.name, f.name)
            add('%s %s %s' % (label, 'root' if f.link else 'loader', f.name),
                'not in %s and no source file%s'
                % (os.path.join(tftp_root or '<tftp_root>', f.path),
                   ' %s' % source if source else ''), '', fix)
    _check_loader_headers(profile, bp, label, tftp_root, add)
    if ipxe_node:
        return
    for role, chosen in (('deploy kernel', bp.kernel),
                         ('deploy ramdisk', bp.ramdisk)):
        if chosen.value not in hrefs:
            hrefs[chosen.value] = check_href(chosen.value, _head)
        add('%s %s' % (profile.name, role), hrefs[chosen.value],
            '%s (%s)' % (chosen.value, chosen.source),
            'Fix %s' % chosen.source)


def _check_root_link(label, item, tftp_root, placed, add):
    """A name shim fetches from the root: the conductor's link to the
    architecture's own file, or a file someone else put there."""
    name = '%s root %s' % (label, item.name)
    dest = tftp_root and os.path.join(tftp_root, item.path)
    target = tftp_root and os.path.join(tftp_root, item.link)
    if not placed:
        add(name, None, 'linked to %s at the conductor\'s start' % item.link)
    elif os.path.isfile(target) and os.path.samefile(dest, target):
        add(name, None, '%s -> %s' % (dest, item.link))
    elif os.path.isfile(target) and not filecmp.cmp(dest, target,
                                                    shallow=False):
        add(name, None, None, warning=(
            '%s is another file than %s, and the conductor keeps it: shim '
            'fetches %s from the root and gets it. Remove it (the conductor '
            'links it at its next start) or make it the same file'
            % (dest, target, item.name)))
    else:
        add(name, None, '%s (the same file as %s)' % (dest, item.link))


def _loader_copies(tftp_root, item):
    """The existing files of a loader: the copy firmware reads now, and
    the source the conductor copies at its next start, if different."""
    found = []
    if tftp_root and os.path.isfile(os.path.join(tftp_root, item.path)):
        found.append(os.path.join(tftp_root, item.path))
    source = item.source.value if item.source else None
    if source and os.path.isfile(source) and not any(
            os.path.samefile(source, p) for p in found):
        found.append(source)
    return found


def _read(path):
    try:
        return binaries.read(path), None
    except OSError as exc:
        return None, 'cannot read %s: %s' % (path, exc.strerror or exc)


def _check_loader_headers(profile, bp, label, tftp_root, add):
    """Each loader file is of the architecture it is served to, and a
    shim loads a GRUB of its own architecture, under the right name."""
    own = '[multiarch_%s]loader_paths' % profile.name
    contents = {}
    for item in bp.loader_files:
        problems = []
        for path in _loader_copies(tftp_root, item):
            data, error = _read(path)
            if error:
                problems.append(error)
                continue
            contents.setdefault(item.name, data)
            problem, _ = binaries.check(data, profile.name, item.name)
            if problem:
                problems.append('%s (served as %s to %s nodes) %s'
                                % (path, item.path, profile.name, problem))
        if item.name not in contents and not problems:
            continue  # absent: the presence check reports it
        example = profile.loader_paths.get(item.name) or (
            '/srv/loaders/%s/%s' % (profile.name, item.name))
        add('%s %s %s architecture' % (label, 'root' if item.link
                                       else 'loader', item.name),
            '; '.join(problems) or None,
            '%s is %s' % (item.name, binaries.identify(
                contents.get(item.name, b''))),
            'Set %s, for example %s:%s' % (own, item.name, example))
    files = [f.name for f in bp.loader_files]
    if bp.loader.value == loader_choice.SHIM and len(files) > 1 and all(
            name in contents for name in files[:2]):
        shim, grub = files[:2]
        add('%s shim %s loads %s' % (label, shim, grub),
            binaries.check_shim_pair(contents[shim], shim, contents[grub],
                                     grub),
            'both %s' % binaries.identify(contents[shim]),
            'Serve the shim and the GRUB of one architecture: set %s, '
            'for example %s:%s' % (own, grub, profile.loader_paths.get(
                grub, '/srv/loaders/%s/%s' % (profile.name, grub))))


def render(checks, fmt='table'):
    """Return the text ``doctor`` prints."""
    if fmt == 'json':
        return common.format_json([c.as_dict() for c in checks])
    seen = list(checks)
    lines = []
    for c in seen:
        lines.append('%-4s  %s: %s' % (c.status, c.name, c.detail))
    failed = sum(1 for c in seen if c.status == FAIL)
    warned = sum(1 for c in seen if c.status == WARN)
    if warned:
        lines.append('%d checks, %d warnings, %d failed'
                     % (len(seen), warned, failed))
    else:
        lines.append('%d checks, %d failed' % (len(seen), failed))
    return '\n'.join(lines) + '\n'


def add_arguments(parser):
    """Add the ``doctor`` arguments to a parser."""
    common.add_config_argument(parser)
    common.add_format_argument(parser)


def run(args, connect=None, out=None, err=None):
    """Run ``doctor``; exit status 1 when any check fails."""
    out = out or sys.stdout
    ctx = common.load_context(common.config_files(args.config_file))
    checks = run_checks(ctx)
    out.write(render(checks, args.format))
    return (common.EXIT_PROBLEMS if any(c.status == FAIL for c in checks)
            else common.EXIT_OK)
