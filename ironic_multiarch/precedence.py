"""Pick each planned value by the documented precedence, and say why.

1. the node itself (``driver_info``);
2. the plugin's per-architecture group, e.g. ``[multiarch_aarch64]``;
3. Ironic's own ``*_by_arch`` options;
4. the profile's built-in default;
5. Ironic's global single-architecture options, only for the
   architecture they are meant for (``[multiarch]global_options_arch``).
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
