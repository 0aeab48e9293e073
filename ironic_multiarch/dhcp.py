"""DHCP options of a plan, in the form Ironic's DHCP providers take.

Each option is ``{'opt_name': ..., 'opt_value': ..., 'ip_version': 4}``
(or ``6``): neutron and Ironic's dnsmasq provider both accept that list,
and each treats ``ip_version`` its own way (neutron sets on a port the
options of its addresses' IP versions, dnsmasq writes them all). As
Ironic's PXE and iPXE interfaces do, a plan carries the IPv4 options and
then the IPv6 ones (``pxe_utils.dhcp_options_for_instance`` with
``ip_version`` 4, then 6).
"""

import types

from ironic_multiarch import paths
from ironic_multiarch import settings as settings_mod

BOOTFILE = '67'
#: DHCPv6 option 59, OPT_BOOTFILE_URL: always a URL (RFC 5970).
BOOTFILE_URL = '59'
TFTP_SERVER_NAME = '66'
TFTP_SERVER_ADDRESS = '150'
SERVER_IP_ADDRESS = '255'
VENDOR_CLASS = '60'
PXELINUX_CONFIG_FILE = '209'
PXELINUX_PATH_PREFIX = '210'
#: dnsmasq tags of an iPXE client, as Ironic's options use them.
IPXE_TAG = 'ipxe'
IPXE6_TAG = 'ipxe6'
#: The tag ``ironic-multiarch dnsmasq`` gives UEFI HTTP clients.
HTTP_CLIENT_TAG = 'httpclient'


def _opt(name, value, ip_version=4):
    return types.MappingProxyType({'opt_name': name, 'opt_value': value,
                                   'ip_version': ip_version})


def options_for(settings, method, loader, uuid, ipxe, node, arch):
    """Return the DHCP options that boot a node.

    :param settings: planner settings (servers, loader directory).
    :param method: the node's boot method
        (:class:`~ironic_multiarch.profiles.base.BootMethod`).
    :param loader: the chosen :class:`~ironic_multiarch.profiles.base.Loader`.
    :param uuid: node UUID (petitboot's option 209 names its config).
    :param ipxe: the node uses the iPXE boot interface.
    :param node: node name for messages.
    :param arch: canonical architecture.
    :returns: tuple of read-only option mappings, the IPv4 options first.
    :raises MissingSetting: a server the options name is not configured.
    :raises UnsafeValue: a server address or URL is not acceptable.
    """
    return (_v4_options(settings, loader, uuid, ipxe, node, arch)
            + _v6_options(settings, loader, uuid, ipxe, node, arch))


def _ipxe_script(settings, node, arch):
    """URL of Ironic's iPXE script (``create_ipxe_boot_script``), named
    after ``[pxe]ipxe_boot_script`` as in Ironic's DHCP options."""
    return (settings_mod.root_url(settings, 'http', node, arch)
            + settings.ironic.ipxe_script)


def _chains_ipxe(ipxe, loader):
    return ipxe and loader.config_format == 'ipxe'


def _v4_options(settings, loader, uuid, ipxe, node, arch):
    opts = []
    if loader.bootfile is None:
        # petitboot: no loader. Option 209 is the config's full URL, which
        # petitboot uses as it is (older petitboot asks for 209 but not
        # 210); 210 is the prefix of its per-MAC probe without 209.
        prefix = settings_mod.root_url(settings, 'http' if ipxe else 'tftp',
                                       node, arch)
        opts.append(_opt(PXELINUX_CONFIG_FILE, prefix + paths.config(uuid)))
        opts.append(_opt(PXELINUX_PATH_PREFIX, prefix))
    else:
        bootfile = paths.loader(settings.loader_dir, arch, loader.bootfile)
        if _chains_ipxe(ipxe, loader):
            opts.append(_opt('tag:!%s,%s' % (IPXE_TAG, BOOTFILE), bootfile))
            opts.append(_opt('tag:%s,%s' % (IPXE_TAG, BOOTFILE),
                             _ipxe_script(settings, node, arch)))
        else:
            opts.append(_opt(BOOTFILE, bootfile))
    if not (ipxe and loader.bootfile is None):
        server = settings_mod.tftp_server(settings, node, arch)
        for name in (TFTP_SERVER_NAME, TFTP_SERVER_ADDRESS,
                     SERVER_IP_ADDRESS):
            opts.append(_opt(name, server))
    return tuple(opts)


def _v6_options(settings, loader, uuid, ipxe, node, arch):
    """Ironic's ``ip_version=6`` options: a URL in option 59, no server.

    The loader's URL is ``tftp://<host>/<loader>``, the host being
    ``[DEFAULT]my_ipv6`` if set, else ``[pxe]tftp_server`` (bracketed
    when it is an IPv6 address); the iPXE script's is the same as in
    IPv4. petitboot, which has no loader, reads option 59 as the URL of
    its config file, the IPv6 counterpart of option 209.
    """
    if loader.bootfile is None:
        prefix = settings_mod.root_url(settings, 'http' if ipxe else 'tftp',
                                       node, arch, ip_version=6)
        return (_opt(BOOTFILE_URL, prefix + paths.config(uuid), 6),)
    url = (settings_mod.root_url(settings, 'tftp', node, arch, ip_version=6)
           + paths.loader(settings.loader_dir, arch, loader.bootfile))
    if _chains_ipxe(ipxe, loader):
        return (_opt('tag:!%s,%s' % (IPXE6_TAG, BOOTFILE_URL), url, 6),
                _opt('tag:%s,%s' % (IPXE6_TAG, BOOTFILE_URL),
                     _ipxe_script(settings, node, arch), 6))
    return (_opt(BOOTFILE_URL, url, 6),)
