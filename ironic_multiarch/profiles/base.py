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

"""The contract every architecture profile fulfils.

A profile is a declarative class: it names its architecture and lists its
boot methods. A boot method is what one kind of firmware needs: the DHCP
client-architecture codes it sends, the loaders that can serve it, the
config format each loader reads, and the Ironic boot modes it answers.
"""

import abc
import dataclasses
import types

#: Config formats the renderer knows.
GRUB = 'grub'
PXELINUX = 'pxelinux'
PETITBOOT = 'petitboot'
IPXE = 'ipxe'
FORMATS = (GRUB, PXELINUX, PETITBOOT, IPXE)


@dataclasses.dataclass(frozen=True)
class Loader:
    """A boot loader as firmware receives it over the network.

    :param name: the choice operators write, e.g. ``shim``.
    :param bootfile: the file DHCP option 67 names; ``None`` for firmware
        that needs no loader binary (petitboot).
    :param files: every file this loader needs beside it, bootfile first
        (shim loads GRUB from its own directory).
    :param config_format: the config format this loader reads.
    :param root_files: those of ``files`` firmware may also fetch from the
        root of the TFTP (or HTTP) server. Shim loads its second stage
        from the directory of the BOOTP header's ``file`` field; Ironic's
        DHCP options send option 67 only, which leaves that field empty,
        so shim asks for ``grubaa64.efi`` at the root. Each of these is
        linked there, to the file in the architecture's own directory:
        its name is architecture-specific, so architectures stay apart.
    """

    name: str
    bootfile: object
    files: tuple
    config_format: str
    root_files: tuple = ()


@dataclasses.dataclass(frozen=True)
class BootMethod:
    """One way an architecture's firmware boots from the network.

    :param name: short name (``bios``, ``uefi``, ``opal``, ``ofw``).
    :param firmware: human name of the firmware.
    :param boot_modes: the Ironic boot modes this method serves.
    :param client_arch: DHCP option 93 codes this firmware sends.
    :param loaders: the loaders that can serve it, the default first.
    :param ipxe_loader: the loader used by the iPXE boot interface (an
        iPXE binary), or ``None`` when the firmware cannot chain iPXE.
    :param http_client_arch: option 93 codes of UEFI HTTP boot, if any.
    """

    name: str
    firmware: str
    boot_modes: tuple
    client_arch: tuple
    loaders: tuple
    ipxe_loader: object = None
    http_client_arch: tuple = ()

    def loader(self, name=None):
        """Return the PXE loader named ``name`` (default: the first one).

        The iPXE loader is not among them: the ``multiarch-ipxe`` boot
        interface chooses it (a PXE node given iPXE as its loader would
        chain iPXE forever, with no ``ipxe`` DHCP tag to stop it).

        :raises KeyError: if this method has no such loader.
        """
        if name is None:
            return self.loaders[0]
        for loader in self.loaders:
            if loader.name == name:
                return loader
        raise KeyError(name)

    @property
    def loader_names(self):
        """Names of the PXE loaders an operator may choose."""
        return tuple(ld.name for ld in self.loaders)


class ArchProfile(abc.ABC):
    """An architecture: its name, console, boot methods and defaults.

    Subclasses set class attributes only. Third parties add an
    architecture by shipping such a class under the
    ``ironic_multiarch.profiles`` entry point named after its ``cpu_arch``.
    """

    #: canonical ``cpu_arch`` (the entry point name).
    name = None
    #: extra aliases (lower case) of this architecture.
    aliases = ()
    #: default serial console kernel argument.
    console = None
    #: built-in kernel arguments; ``None`` lets Ironic's global
    #: ``[pxe]kernel_append_params`` apply when this is the arch Ironic's
    #: global options belong to.
    kernel_append_params = None
    #: names of this architecture in Ironic's own ``*_by_arch`` options.
    ironic_arch_keys = ()
    #: where a conductor host of this architecture's distribution usually
    #: has each loader file (loader file name -> host path).
    loader_paths = types.MappingProxyType({})
    #: boot methods used only when ``[multiarch_<arch>]boot_method`` names
    #: them (firmware some fleets of this architecture do not have).
    optional_methods = ()

    @property
    @abc.abstractmethod
    def methods(self):
        """The :class:`BootMethod` tuple, in preference order."""

    def method_for(self, boot_mode):
        """Return the boot method serving an Ironic boot mode.

        :param boot_mode: ``uefi`` or ``bios``.
        :returns: a :class:`BootMethod`, or ``None`` if none serves it.
        """
        for method in self.methods:
            if boot_mode in method.boot_modes:
                return method
        return None

    @property
    def boot_modes(self):
        """Every Ironic boot mode some method of this profile serves."""
        modes = []
        for method in self.methods:
            modes.extend(m for m in method.boot_modes if m not in modes)
        return tuple(modes)

    def method(self, name):
        """Return the boot method called ``name``.

        :raises KeyError: if there is none.
        """
        for method in tuple(self.methods) + tuple(self.optional_methods):
            if method.name == name:
                return method
        raise KeyError(name)

    def describe(self):
        """A plain-data description, for ``doctor`` and the docs."""
        return types.MappingProxyType({
            'name': self.name,
            'console': self.console,
            'methods': tuple(m.name for m in self.methods),
        })
