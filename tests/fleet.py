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

"""A mixed fleet planned from a fresh configuration (shared test helpers)."""

import uuid as uuid_mod

from oslo_config import cfg

from ironic_multiarch import conf
from ironic_multiarch.conf import loading
from ironic_multiarch import plan as planner
from ironic_multiarch.profiles import loader

PROFILES = loader.installed()
#: (cpu_arch, boot mode, iPXE) of the fleet's kinds of node.
KINDS = (('x86_64', 'bios', False), ('x86_64', 'uefi', False),
         ('x86_64', 'uefi', True), ('aarch64', 'uefi', False),
         ('aarch64', 'uefi', True), ('ppc64le', 'uefi', False),
         ('ppc64le', 'bios', True))


def settings(**overrides):
    """Planner settings with images for every architecture."""
    opts = cfg.ConfigOpts()
    conf.register_opts(opts, PROFILES)
    opts([])
    for arch in PROFILES:
        for role in ('deploy_kernel', 'deploy_ramdisk', 'rescue_kernel',
                     'rescue_ramdisk'):
            opts.set_override(role, 'http://images.example.com/%s.%s'
                              % (arch, role), 'multiarch_%s' % arch)
    for key, value in overrides.items():
        opts.set_override(key, value, 'multiarch')
    return loading.build_settings(opts, PROFILES, tftp_server='192.0.2.10',
                                  http_url='http://192.0.2.10:8080')


def node_uuid(index):
    """A stable UUID per fleet index."""
    return str(uuid_mod.UUID(int=0x1be26c0b03f24d2eae87c02d7f330000 + index))


def mac(index):
    """A stable MAC per fleet index."""
    return '52:54:00:%02x:%02x:%02x' % (index >> 16 & 255, index >> 8 & 255,
                                         index & 255)


def facts(index, kind=None, params=''):
    """Facts of fleet node ``index`` (its kind cycles through KINDS)."""
    arch, mode, ipxe = KINDS[index % len(KINDS) if kind is None else kind]
    info = {'kernel_append_params': params} if params else {}
    return planner.NodeFacts(
        uuid=node_uuid(index), cpu_arch=arch, boot_mode=mode,
        ports=(planner.Port(mac(index)),), ipxe=ipxe, driver_info=info,
        extra_kernel_params=('ipa-api-url=http://192.0.2.10:6385',))


def plan(index, settings_, kind=None, params=''):
    """The plan of fleet node ``index``."""
    return planner.plan(facts(index, kind, params), settings_, PROFILES)
