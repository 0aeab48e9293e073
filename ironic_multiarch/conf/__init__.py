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
