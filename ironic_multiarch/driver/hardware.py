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

"""Hardware types that accept the multiarch boot interfaces.

Ironic checks the exact class of a boot interface against the hardware
type's ``supported_boot_interfaces``, so the in-tree types cannot accept
ours: these subclasses put the multiarch interfaces first (they become
the default) and keep every in-tree interface after them.

Loading a hardware type (conductor and API) registers the option group
named after it where Ironic reads one (see
:mod:`ironic_multiarch.conf.hardware_type`).
"""

from oslo_config import cfg

from ironic.drivers import generic
from ironic.drivers import ipmi
from ironic.drivers import redfish

from ironic_multiarch.conf import hardware_type as hw_conf
from ironic_multiarch.driver import boot

MULTIARCH_BOOT_INTERFACES = [boot.MultiarchPXEBoot, boot.MultiarchIPXEBoot,
                             boot.MultiarchHttpBoot,
                             boot.MultiarchHttpIPXEBoot]


class _MultiarchBootMixin(object):

    #: The entry point name (``ironic.hardware.types``), which is what a
    #: node's ``driver`` field holds.
    hardware_type_name = None

    def __init__(self):
        super().__init__()
        hw_conf.register_opts(cfg.CONF, self.hardware_type_name)

    @property
    def supported_boot_interfaces(self):
        """Multiarch boot interfaces first, then the in-tree ones."""
        return MULTIARCH_BOOT_INTERFACES + [
            i for i in super().supported_boot_interfaces
            if i not in MULTIARCH_BOOT_INTERFACES]


class MultiarchIPMIHardware(_MultiarchBootMixin, ipmi.IPMIHardware):
    """IPMI hardware type for a mixed-architecture fleet."""

    hardware_type_name = 'multiarch-ipmi'


class MultiarchRedfishHardware(_MultiarchBootMixin, redfish.RedfishHardware):
    """Redfish hardware type for a mixed-architecture fleet.

    Ironic's Redfish interfaces read ``[multiarch-redfish]verify_ca``,
    which defaults to ``[redfish]verify_ca``.
    """

    hardware_type_name = 'multiarch-redfish'


class MultiarchManualManagementHardware(
        _MultiarchBootMixin, generic.ManualManagementHardware):
    """Manual-management hardware type for a mixed-architecture fleet."""

    hardware_type_name = 'multiarch-manual'
