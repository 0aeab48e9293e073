"""Option listing for oslo-config-generator (``oslo.config.opts``)."""

from ironic_multiarch.conf import arch_group
from ironic_multiarch.conf import hardware_type
from ironic_multiarch.conf import multiarch
from ironic_multiarch.profiles import loader


def list_opts():
    """Return ``[(group, opts)]`` for the plugin and every installed profile.

    The per-architecture groups follow the installed entry points, so a
    third-party profile's group is documented too, followed by the
    groups named after the plugin's hardware types.
    """
    result = [(multiarch.GROUP, multiarch.opts)]
    for name in sorted(loader.installed()):
        result.append((arch_group.group_name(name), arch_group.opts(name)))
    return result + hardware_type.list_opts()
