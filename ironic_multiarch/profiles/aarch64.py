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

"""aarch64: UEFI only (GRUB, shim+GRUB or iPXE); no BIOS mode exists."""

from ironic_multiarch.profiles import base


class AArch64(base.ArchProfile):
    """64-bit Arm servers (Ampere, Graviton-class, SBSA)."""

    name = 'aarch64'
    console = 'console=ttyAMA0,115200'
    kernel_append_params = ''
    ironic_arch_keys = ('aarch64', 'arm64')
    #: Debian/Ubuntu locations of the loaders on an arm64 conductor host;
    #: an x86_64 conductor sets [multiarch_aarch64]loader_paths instead.
    loader_paths = {
        'grubaa64.efi': '/usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed',
        'bootaa64.efi': '/usr/lib/shim/shimaa64.efi.signed',
    }
    methods = (
        base.BootMethod(
            name='uefi', firmware='UEFI', boot_modes=('uefi',),
            client_arch=(0x0b,),
            loaders=(
                base.Loader('grub', 'grubaa64.efi', ('grubaa64.efi',),
                            base.GRUB),
                base.Loader('shim', 'bootaa64.efi',
                            ('bootaa64.efi', 'grubaa64.efi'), base.GRUB,
                            root_files=('grubaa64.efi',)),
            ),
            ipxe_loader=base.Loader('ipxe', 'snponly.efi', ('snponly.efi',),
                                    base.IPXE),
            http_client_arch=(0x13,)),
    )
