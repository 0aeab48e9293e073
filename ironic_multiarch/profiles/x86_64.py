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

"""x86_64: legacy BIOS (pxelinux or iPXE) and UEFI (shim/GRUB or iPXE)."""

from ironic_multiarch.profiles import base

_IPXE_EFI = base.Loader('ipxe', 'snponly.efi', ('snponly.efi',), base.IPXE)


class X86_64(base.ArchProfile):
    """x86_64 servers and virtual machines."""

    name = 'x86_64'
    console = 'console=ttyS0,115200n8'
    ironic_arch_keys = ('x86_64', 'amd64')
    #: Debian/Ubuntu locations of the loaders on an x86_64 conductor host.
    loader_paths = {
        'pxelinux.0': '/usr/lib/PXELINUX/pxelinux.0',
        'ldlinux.c32': '/usr/lib/syslinux/modules/bios/ldlinux.c32',
        'undionly.kpxe': '/usr/lib/ipxe/undionly.kpxe',
        'snponly.efi': '/usr/lib/ipxe/snponly.efi',
        'grubx64.efi': '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed',
        'bootx64.efi': '/usr/lib/shim/shimx64.efi.signed',
    }
    methods = (
        base.BootMethod(
            name='uefi', firmware='UEFI', boot_modes=('uefi',),
            client_arch=(0x07, 0x09),
            loaders=(
                base.Loader('grub', 'grubx64.efi', ('grubx64.efi',),
                            base.GRUB),
                base.Loader('shim', 'bootx64.efi',
                            ('bootx64.efi', 'grubx64.efi'), base.GRUB,
                            root_files=('grubx64.efi',)),
            ),
            ipxe_loader=_IPXE_EFI, http_client_arch=(0x10,)),
        base.BootMethod(
            name='bios', firmware='BIOS', boot_modes=('bios',),
            client_arch=(0x00,),
            loaders=(
                base.Loader('pxelinux', 'pxelinux.0',
                            ('pxelinux.0', 'ldlinux.c32'), base.PXELINUX),
            ),
            ipxe_loader=base.Loader('ipxe', 'undionly.kpxe',
                                    ('undionly.kpxe',), base.IPXE)),
    )
