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

"""``file://`` kernels and ramdisks the conductor would refuse to fetch.

The same path rules as Ironic's ``FileImageService.validate_href``
(``[conductor]file_url_allowed_paths`` and the system paths it never
reads), from plain data and without Ironic: only the path is looked at,
never the file, since ``plan`` and ``audit`` may run on another host.
"""

import posixpath
from urllib import parse

from ironic_multiarch import exception

#: The option, as messages name it.
OPTION = '[conductor]file_url_allowed_paths'
#: Paths Ironic never reads ``file://`` images from.
BLOCKED_PATHS = ('/boot', '/dev', '/etc', '/proc', '/run', '/sys')
#: Where an example moves a file when no allowed path is configured.
EXAMPLE_ROOT = '/var/lib/ironic'

#: Kinds of refusal.
BLOCKED = 'blocked'
DISABLED = 'disabled'
OUTSIDE = 'outside'
NO_PATH = 'no-path'


def _inside(path, root):
    return path == root or path.startswith(root + '/')


def refusal(href, allowed):
    """Why the conductor would refuse to fetch ``href``, if it would.

    :param href: an image reference (any type).
    :param allowed: ``[conductor]file_url_allowed_paths`` (a sequence),
        or ``None`` when the Ironic release has no such option.
    :returns: ``None`` (not a ``file://`` URL, or allowed), or
        ``(kind, path)``: :data:`BLOCKED` with the blocked path,
        :data:`DISABLED` or :data:`OUTSIDE` with the file's normalised
        path, :data:`NO_PATH` with the URL's path.
    """
    if (allowed is None or not isinstance(href, str)
            or not href.startswith('file://')):
        return None
    path = parse.urlparse(href).path
    if not path.startswith('/'):
        # Ironic would resolve it against its working directory.
        return NO_PATH, path
    rpath = posixpath.abspath(path)
    for bad in BLOCKED_PATHS:
        if _inside(rpath, bad):
            return BLOCKED, bad
    if not allowed:
        return DISABLED, rpath
    if any(_inside(rpath, root) for root in allowed):
        return None
    return OUTSIDE, rpath


def check_plan(bp, allowed, node=None):
    """Refuse a plan whose kernel or ramdisk the conductor would refuse.

    :param bp: a :class:`~ironic_multiarch.plan.BootPlan`.
    :param allowed: as for :func:`refusal`.
    :param node: the node's name or UUID for the message (default: the
        plan's UUID).
    :raises InvalidSetting: naming the first refused image, the option
        that chose it and ``[conductor]file_url_allowed_paths``.
    """
    refused = []
    for role, chosen in (('kernel', bp.kernel), ('ramdisk', bp.ramdisk)):
        found = refusal(chosen.value, allowed)
        if found:
            refused.append((role, chosen, found))
    if not refused:
        return
    role, chosen, (kind, path) = refused[0]
    what = 'its %s %s %s (from %s)' % (bp.mode, role, chosen.value,
                                       chosen.source)
    roots = [r for r in allowed or ()
             if not any(_inside(r, bad) for bad in BLOCKED_PATHS)]
    moved = 'file://' + posixpath.join(
        roots[0] if roots else EXAMPLE_ROOT, 'images',
        posixpath.basename(parse.urlparse(chosen.value).path)
        or 'ipa-%s.%s' % (bp.arch, role))
    move = '%s to a file in %s' % (chosen.source, OPTION)
    if kind == BLOCKED:
        problem = ('%s is in %s, where the conductor never reads file:// '
                   'images whatever %s says' % (what, path, OPTION))
        option, example = move, moved
    elif kind == NO_PATH:
        problem = ('%s names no absolute path, so the conductor refuses '
                   'it' % what)
        option, example = move, moved
    else:
        dirs = []
        for _, _, (k, p) in refused:
            if k in (OUTSIDE, DISABLED) and posixpath.dirname(p) not in dirs:
                dirs.append(posixpath.dirname(p))
        if kind == DISABLED:
            problem = ('%s is a file:// URL, and an empty %s disables '
                       'them' % (what, OPTION))
        else:
            problem = ('%s is outside %s (%s), so the conductor refuses to '
                       'fetch it' % (what, OPTION, ', '.join(allowed)))
        option = ('%s to include its directory, or %s to a file inside '
                  'it' % (OPTION, chosen.source))
        example = '%s = %s' % (OPTION, ','.join(list(allowed) + dirs))
    if len(refused) > 1:
        other_role, other, _ = refused[1]
        problem += '; its %s %s %s (from %s) is refused too' % (
            bp.mode, other_role, other.value, other.source)
    raise exception.InvalidSetting(problem, node=node or bp.node,
                                   arch=bp.arch, option=option,
                                   example=example)
