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
