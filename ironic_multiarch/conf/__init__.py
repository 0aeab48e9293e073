"""Configuration of the plugin (oslo.config).

Options are registered by :func:`register_opts`, called by the driver when
it is loaded and by the CLI, never at import time.
"""

from ironic_multiarch.conf import arch_group
from ironic_multiarch.conf import multiarch


def register_opts(conf, profile_names):
    """Register ``[multiarch]`` and one group per profile on ``conf``.

    :param conf: an ``oslo_config.cfg.ConfigOpts``.
    :param profile_names: canonical names of the installed profiles.
    """
    multiarch.register_opts(conf)
    for name in profile_names:
        arch_group.register_opts(conf, name)
