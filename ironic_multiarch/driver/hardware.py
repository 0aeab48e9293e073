"""Hardware types that accept the multiarch boot interfaces.

Ironic checks the exact class of a boot interface against the hardware
type's ``supported_boot_interfaces``, so the in-tree types cannot accept
ours: these subclasses put the multiarch interfaces first (they become
the default) and keep every in-tree interface after them.
"""

from ironic.drivers import generic
from ironic.drivers import ipmi
from ironic.drivers import redfish

from ironic_multiarch.driver import boot

MULTIARCH_BOOT_INTERFACES = [boot.MultiarchPXEBoot, boot.MultiarchIPXEBoot]


class _MultiarchBootMixin(object):

    @property
    def supported_boot_interfaces(self):
        """Multiarch boot interfaces first, then the in-tree ones."""
        return MULTIARCH_BOOT_INTERFACES + [
            i for i in super().supported_boot_interfaces
            if i not in MULTIARCH_BOOT_INTERFACES]


class MultiarchIPMIHardware(_MultiarchBootMixin, ipmi.IPMIHardware):
    """IPMI hardware type for a mixed-architecture fleet."""


class MultiarchRedfishHardware(_MultiarchBootMixin, redfish.RedfishHardware):
    """Redfish hardware type for a mixed-architecture fleet."""


class MultiarchManualManagementHardware(
        _MultiarchBootMixin, generic.ManualManagementHardware):
    """Manual-management hardware type for a mixed-architecture fleet."""
