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

"""Pick each planned value by the documented precedence, and say why.

1. the node itself (``driver_info``);
2. the plugin's per-architecture group, e.g. ``[multiarch_aarch64]``;
3. Ironic's own ``*_by_arch`` options;
4. the profile's built-in default;
5. Ironic's global single-architecture options, only for the
   architecture they are meant for (``[multiarch]global_options_arch``;
   unset by default, so no architecture uses them).

One exception: ``[pxe]kernel_append_params`` is not tied to an
architecture, except for its ``console=`` arguments. It is the base of
every architecture that has no ``[multiarch_<arch>]kernel_append_params``
(before the profile's default); its ``console=`` arguments are kept only
for ``global_options_arch``, other architectures get their own console.
"""

import dataclasses

NODE = 1
ARCH_GROUP = 2
IRONIC_BY_ARCH = 3
PROFILE = 4
IRONIC_GLOBAL = 5

LEVEL_NAMES = {
    NODE: 'node', ARCH_GROUP: 'multiarch group',
    IRONIC_BY_ARCH: 'ironic by-arch option', PROFILE: 'profile default',
    IRONIC_GLOBAL: 'ironic global option',
}


@dataclasses.dataclass(frozen=True)
class Chosen:
    """A planned value and where it came from.

    :param value: the value.
    :param source: the field or option it was read from, e.g.
        ``[multiarch_aarch64]deploy_kernel``.
    :param level: its precedence level (1 wins).
    """

    value: object
    source: str
    level: int

    def as_dict(self):
        """Plain-data form for JSON output."""
        return {'value': self.value, 'source': self.source,
                'level': LEVEL_NAMES.get(self.level, str(self.level))}


def first(candidates, empty_is_unset=True):
    """Return the first candidate that is set.

    :param candidates: iterable of ``(level, source, value)``.
    :param empty_is_unset: treat ``''`` like ``None``.
    :returns: a :class:`Chosen`, or ``None`` if none is set.
    """
    for level, source, value in candidates:
        if value is None or (empty_is_unset and value == ''):
            continue
        return Chosen(value, source, level)
    return None


def by_arch(settings, profile, option):
    """Candidates from one of Ironic's ``*_by_arch`` options.

    :param settings: :class:`~ironic_multiarch.settings.Settings`.
    :param profile: the node's profile (its ``ironic_arch_keys``).
    :param option: the option label, e.g.
        ``[conductor]deploy_kernel_by_arch``.
    """
    table = settings.ironic.by_arch.get(option) or {}
    for key in profile.ironic_arch_keys or (profile.name,):
        if key in table:
            yield IRONIC_BY_ARCH, '%s[%s]' % (option, key), table[key]


def ironic_global(settings, arch, option):
    """The candidate from an Ironic global option, for its own arch only."""
    if arch == settings.global_options_arch:
        yield IRONIC_GLOBAL, option, settings.ironic.globals.get(option)


#: Ironic's global options that name files of one architecture and have
#: no default: set, they are meant for the architecture they were built
#: for.
IMAGE_GLOBALS = ('[conductor]deploy_kernel', '[conductor]deploy_ramdisk',
                 '[conductor]rescue_kernel', '[conductor]rescue_ramdisk')
LOADER_FILE_PATHS = '[pxe]loader_file_paths'
KERNEL_APPEND_PARAMS = '[pxe]kernel_append_params'


def unclaimed_globals(settings):
    """Ironic's global options that are set but used by no architecture.

    With ``[multiarch]global_options_arch`` unset, a set
    ``[conductor]deploy_kernel`` (and the like), ``[pxe]loader_file_paths``
    or a ``console=`` argument in ``[pxe]kernel_append_params`` serves no
    node.

    :param settings: :class:`~ironic_multiarch.settings.Settings`.
    :returns: tuple of option labels, e.g. ``('[conductor]deploy_kernel',)``.
    """
    if settings.global_options_arch:
        return ()
    found = [label for label in IMAGE_GLOBALS
             if settings.ironic.globals.get(label)]
    if settings.ironic.loader_file_paths:
        found.append(LOADER_FILE_PATHS)
    append = settings.ironic.globals.get(KERNEL_APPEND_PARAMS)
    if isinstance(append, str) and any(
            a.startswith('console=') for a in append.split()):
        found.append(KERNEL_APPEND_PARAMS)
    return tuple(found)


def unclaimed_hint(settings, option, arch, own_option):
    """Say that ``option`` is set but claimed by no architecture.

    :param settings: :class:`~ironic_multiarch.settings.Settings`.
    :param option: the Ironic global option, e.g.
        ``[conductor]deploy_kernel``.
    :param arch: the architecture of the node that lacks the value.
    :param own_option: the per-architecture option that also fixes it,
        e.g. ``[multiarch_aarch64]deploy_kernel``.
    :returns: ``(problem, option to set)`` to extend an error with, or
        ``None`` if ``option`` is unset or claimed.
    """
    if option not in unclaimed_globals(settings):
        return None
    return ("%s is set but no architecture claims Ironic's global options"
            % option,
            '[multiarch]global_options_arch = %s if %s is built for %s, '
            'or %s' % (arch, option, arch, own_option))
