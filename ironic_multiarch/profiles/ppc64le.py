"""ppc64le: OpenPOWER (PowerNV) machines boot with petitboot from OPAL.

Petitboot reads pxelinux syntax itself, so no loader binary is served, and
it is used whatever nominal boot mode (uefi or bios) Ironic gives the node.
"""

from ironic_multiarch.profiles import base


class Ppc64le(base.ArchProfile):
    """Little-endian POWER8/9/10 servers running OPAL firmware."""

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
