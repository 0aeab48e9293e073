"""DHCP options of a plan, in the form Ironic's DHCP providers take.

Each option is ``{'opt_name': ..., 'opt_value': ..., 'ip_version': 4}``:
neutron and Ironic's dnsmasq provider both accept that list.
"""

import types

from ironic_multiarch import paths
from ironic_multiarch import settings as settings_mod

BOOTFILE = '67'
TFTP_SERVER_NAME = '66'
TFTP_SERVER_ADDRESS = '150'
SERVER_IP_ADDRESS = '255'
VENDOR_CLASS = '60'
PXELINUX_CONFIG_FILE = '209'
PXELINUX_PATH_PREFIX = '210'
HTTP_CLIENT_TAG = 'httpclient'


def _opt(name, value):
    return types.MappingProxyType({'opt_name': name, 'opt_value': value,
                                   'ip_version': 4})


def options_for(settings, method, loader, uuid, ipxe, node, arch):
    """Return the DHCP options that boot a node.

    :param settings: planner settings (servers, loader directory).
    :param method: the node's :class:`~ironic_multiarch.profiles.base.BootMethod`.
    :param loader: the chosen :class:`~ironic_multiarch.profiles.base.Loader`.
    :param uuid: node UUID (petitboot's option 209 names its config).
    :param ipxe: the node uses the iPXE boot interface.
    :param node: node name for messages.
    :param arch: canonical architecture.
    :returns: tuple of read-only option mappings.
    """
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
        if ipxe and loader.config_format == 'ipxe':
            script = (settings_mod.root_url(settings, 'http', node, arch)
                      + paths.IPXE_SCRIPT)
            opts.append(_opt('tag:!ipxe,' + BOOTFILE, bootfile))
            opts.append(_opt('tag:ipxe,' + BOOTFILE, script))
        else:
            opts.append(_opt(BOOTFILE, bootfile))
        if method.http_client_arch and settings.http_url:
            url = settings_mod.root_url(settings, 'http', node, arch)
            opts.append(_opt('tag:%s,%s' % (HTTP_CLIENT_TAG, BOOTFILE),
                             url + bootfile))
            opts.append(_opt('tag:%s,%s' % (HTTP_CLIENT_TAG, VENDOR_CLASS),
                             'HTTPClient'))
    if not (ipxe and loader.bootfile is None):
        server = settings_mod.tftp_server(settings, node, arch)
        for name in (TFTP_SERVER_NAME, TFTP_SERVER_ADDRESS,
                     SERVER_IP_ADDRESS):
            opts.append(_opt(name, server))
    return tuple(opts)
