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

"""Options and groups of the plugin that no code reads: typos.

oslo.config ignores what it was not told about, so ``deploy_kernal``,
``[multiarch_arm64]`` or ``enabled_architecture`` would change nothing
without a word. This reads the files with oslo.config's own parser and
names each unknown option or group with the closest valid name.
"""

import dataclasses
import difflib

from oslo_config import cfg

#: groups of the plugin: ``[multiarch]``, ``[multiarch_<arch>]`` and the
#: hardware types' ``[multiarch-<type>]``.
PREFIX = 'multiarch'


@dataclasses.dataclass(frozen=True)
class Unknown:
    """An unknown group (``option`` is ``None``) or option in a file."""

    path: str
    group: str
    option: object
    suggestion: object

    def describe(self):
        """One sentence: what is unknown and the closest valid name."""
        what = ('group [%s]' % self.group if self.option is None
                else 'option %s in [%s]' % (self.option, self.group))
        hint = ('; did you mean %s?' % self.suggestion if self.suggestion
                else '')
        return '%s: unknown %s, ignored by the conductor%s' % (
            self.path, what, hint)


def _closest(name, candidates):
    found = difflib.get_close_matches(name, sorted(candidates), n=1,
                                      cutoff=0.6)
    return found[0] if found else None


def find(files, known):
    """Unknown plugin groups and options in configuration files.

    :param files: ironic.conf paths.
    :param known: mapping group name -> option names (as registered; a
        ``list_opts()`` result turned into names).
    :returns: list of :class:`Unknown`, in file order.
    :raises oslo_config.cfg.ParseError: if a file cannot be parsed.
    """
    found = []
    for path in files:
        sections = {}
        cfg.ConfigParser(path, sections).parse()
        for group, options in sections.items():
            if not group.lower().startswith(PREFIX):
                continue
            if group not in known:
                found.append(Unknown(path, group, None,
                                     '[%s]' % _closest(group, known)
                                     if _closest(group, known) else None))
                continue
            for option in options:
                if option not in known[group]:
                    found.append(Unknown(path, group, option,
                                         _closest(option, known[group])))
    return found


def known_options(list_opts):
    """Turn ``[(group, [opts])]`` into ``{group: {names}}``.

    Deprecated names stay valid: the conductor still reads them.
    """
    known = {}
    for group, opts in list_opts:
        names = known.setdefault(group, set())
        for opt in opts:
            names.update((opt.name, opt.dest))
            names.update(d.name for d in opt.deprecated_opts if d.name)
    return known
