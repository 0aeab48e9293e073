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

"""ppc64le: OPAL (PowerNV) petitboot, or Open Firmware with GRUB.

OpenPOWER (PowerNV) machines boot with petitboot from OPAL. Petitboot
reads pxelinux syntax itself, so no loader binary is served, and it is
used whatever nominal boot mode (uefi or bios) Ironic gives the node.

PowerVM LPARs and pseries guests (SLOF) boot with Open Firmware, which
loads a GRUB ``powerpc-ieee1275`` network image (option 67) that reads
GRUB syntax. It is used when ``[multiarch_ppc64le]boot_method = of``.
Debian ships the GRUB modules (grub-ieee1275-bin) but no network image:
the operator builds one with ``grub-mkimage`` and names it in
``[multiarch_ppc64le]loader_paths`` (see the README).
"""

from ironic_multiarch.profiles import base


class Ppc64le(base.ArchProfile):
    """Little-endian POWER8/9/10 servers (OPAL) and LPARs/guests (OF)."""

    name = 'ppc64le'
    console = 'console=hvc0'
    kernel_append_params = ''
    ironic_arch_keys = ('ppc64le', 'ppc64el')
    methods = (
        base.BootMethod(
            name='opal', firmware='OPAL petitboot',
            boot_modes=('uefi', 'bios'), client_arch=(0x0e,),
            loaders=(base.Loader('petitboot', None, (), base.PETITBOOT),)),
    )
    optional_methods = (
        base.BootMethod(
            name='of', firmware='Open Firmware',
            boot_modes=('uefi', 'bios'), client_arch=(0x0c,),
            loaders=(base.Loader('grub', 'core.elf', ('core.elf',),
                                 base.GRUB),)),
    )
