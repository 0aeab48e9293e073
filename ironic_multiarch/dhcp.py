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

from ironic_multiarch import exception
from ironic_multiarch import paths
from ironic_multiarch import safety
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

#: Ironic's guard on the boot file or URL of its DHCP options
#: (``pxe_utils._dhcp_option_file_or_url``: ``len(result) > 64`` raises
#: ``InvalidParameterValue('The resulting boot file or URL length exceeds
#: Neutron limitations. Please explore shorter file names or
#: hostnames.')``). Ironic applies it to the loader's file name (option
#: 67) and URL (option 59, UEFI HTTP boot), not to the iPXE script's URL.
IRONIC_BOOTFILE_MAX = 64
#: The BOOTP ``file`` field is 128 octets and NUL-terminated (RFC 951,
#: RFC 2131). dnsmasq copies a boot file name (``dhcp-boot``, or option
#: 67 to a client that does not ask for option 67) into it with
#: ``strncpy(mess->file, file, sizeof(mess->file) - 1)``: a longer name is
#: cut short without a word.
BOOTP_FILE_MAX = 127
#: A DHCPv4 option's length is one octet (RFC 2132; dnsmasq refuses a
#: longer value with "dhcp-option too long"), and neutron-lib's
#: ``DHCP_OPT_VALUE_MAX_LEN`` (``extra_dhcp_opts`` ``opt_value``) is 255.
OPTION_VALUE_MAX = 255
#: neutron-lib's ``DHCP_OPT_NAME_MAX_LEN``.
OPTION_NAME_MAX = 64


def _opt(name, value, ip_version=4):
    return types.MappingProxyType({'opt_name': name, 'opt_value': value,
                                   'ip_version': ip_version})


def options_for(settings, method, loader, uuid, ipxe, node, arch,
                http_boot=False):
    """Return the DHCP options that boot a node.

    :param settings: planner settings (servers, loader directory).
    :param method: the node's boot method
        (:class:`~ironic_multiarch.profiles.base.BootMethod`).
    :param loader: the chosen :class:`~ironic_multiarch.profiles.base.Loader`.
    :param uuid: node UUID (petitboot's option 209 names its config).
    :param ipxe: the node uses the iPXE boot interface.
    :param node: node name for messages.
    :param arch: canonical architecture.
    :param http_boot: the node boots over UEFI HTTP (see
        :func:`_http_options`).
    :returns: tuple of read-only option mappings, the IPv4 options first.
    :raises MissingSetting: a server the options name is not configured.
    :raises UnsafeValue: a server address or URL is not acceptable.
    """
    if http_boot:
        return checked(settings,
                       _http_options(settings, loader, ipxe, node, arch),
                       node, arch)
    return checked(settings,
                   _v4_options(settings, loader, uuid, ipxe, node, arch)
                   + _v6_options(settings, loader, uuid, ipxe, node, arch),
                   node, arch)


def split_name(opt_name):
    """Split an option name into its tag set and its option.

    :param opt_name: e.g. ``'tag:!ipxe,67'``.
    :returns: ``(frozenset of tags, option)``, e.g.
        ``(frozenset({'!ipxe'}), '67')``; the order of the tags does not
        matter to dnsmasq, so it does not matter here.
    """
    parts = opt_name.split(',')
    return (frozenset(p[len('tag:'):] if p.startswith('tag:') else p
                      for p in parts[:-1]), parts[-1])


def limit(opt_name, value, ip_version, loader_path):
    """The longest value an option may carry, and the rule that says so.

    :param loader_path: ``<loader_dir>/<arch>/``: a 67 or 59 value that
        names a loader is a boot file in Ironic's sense.
    :returns: ``(length, rule)``.
    """
    tags, option = split_name(opt_name)
    if option in (BOOTFILE, BOOTFILE_URL) and loader_path in value:
        return (IRONIC_BOOTFILE_MAX,
                "Ironic's limit on a boot file or URL (Neutron's)")
    if option == BOOTFILE and ip_version == 4 and IPXE_TAG not in tags:
        # iPXE asks for option 67; other firmware may read the field.
        return BOOTP_FILE_MAX, 'the BOOTP file field'
    return OPTION_VALUE_MAX, 'a DHCP option'


def _sources(settings, value, arch):
    """The settings a value is built from: (option, value, example)."""
    found = []
    if settings.http_url and value.startswith(
            settings.http_url.rstrip('/') + '/'):
        found.append(('[deploy]http_url', settings.http_url,
                      'http://192.0.2.10:8080'))
    elif value.startswith('tftp://'):
        host = value[len('tftp://'):].split('/', 1)[0]
        if settings.my_ipv6 and host == safety.url_host(settings.my_ipv6):
            found.append(('[DEFAULT]my_ipv6', settings.my_ipv6,
                          '2001:db8::10'))
        elif settings.tftp_server:
            found.append(('[pxe]tftp_server', settings.tftp_server,
                          '2001:db8::10' if safety.is_ipv6(
                              settings.tftp_server) else '192.0.2.10'))
    if '%s/%s/' % (settings.loader_dir, arch) in value:
        found.append(('[multiarch]loader_dir', settings.loader_dir, 'ma'))
    if value.endswith('/' + settings.ironic.ipxe_script):
        found.append(('[pxe]ipxe_boot_script', settings.ironic.ipxe_script,
                      'boot.ipxe'))
    return found


def check_length(settings, opt_name, value, ip_version, node, arch,
                 max_length=None, rule=None, sources=()):
    """Refuse a value longer than its DHCP field or Ironic allows.

    :param max_length: the limit, by default the one :func:`limit` gives.
    :param rule: what sets the limit, for the message.
    :param sources: extra ``(option, value, example)`` the value is built
        from, besides the settings :func:`_sources` recognises (named
        only when their value is part of the value).
    :raises InvalidSetting: naming the setting that made the value long
        (the longest one that has a shorter example) and an example.
    """
    if max_length is None:
        max_length, rule = limit(opt_name, value, ip_version,
                                 paths.loader(settings.loader_dir, arch, '')
                                 + '/')
    if len(value) <= max_length:
        return value
    found = _sources(settings, value, arch) + [
        s for s in sources if s[1] and str(s[1]) in value]
    shorter = [s for s in found if len(s[2]) < len(str(s[1]))]
    option, _current, example = max(
        shorter or found or [('[multiarch]loader_dir', None, 'ma')],
        key=lambda s: len(str(s[1])))
    raise exception.InvalidSetting(
        'DHCPv%d option %s value %r is %d characters long, %d more than '
        '%s allows (%d)%s' % (
            ip_version, opt_name, value, len(value), len(value) - max_length,
            rule, max_length,
            '; it is built from %s' % ', '.join(s[0] for s in found)
            if found else ''),
        node=node, arch=arch, option=option, example=example)


def checked(settings, options, node, arch):
    """Return options each once per tag set, none too long.

    dnsmasq and firmware take the first of two options with the same
    number, and Neutron keeps one option per name and IP version: an
    exact duplicate is dropped, two values are refused.

    :param options: option mappings (see :func:`options_for`).
    :returns: tuple of the options, in order, without duplicates.
    :raises InvalidSetting: a value is too long (:func:`check_length`) or
        one tag set gives an option two values.
    """
    seen = {}
    result = []
    for opt in options:
        name, value = opt['opt_name'], opt['opt_value']
        version = opt['ip_version']
        if len(name) > OPTION_NAME_MAX:
            raise exception.InvalidSetting(
                'DHCP option name %r is longer than the %d characters '
                'Neutron takes' % (name, OPTION_NAME_MAX), node=node,
                arch=arch)
        check_length(settings, name, value, version, node, arch)
        tags, option = split_name(name)
        key = (tags, option, version)
        if key in seen:
            if seen[key] != value:
                raise exception.InvalidSetting(
                    'DHCPv%d option %s is planned twice for the same tags, '
                    'as %r and as %r' % (version, name, seen[key], value),
                    node=node, arch=arch)
            continue
        seen[key] = value
        result.append(opt)
    return tuple(result)


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


def _http_options(settings, loader, ipxe, node, arch):
    """The options of Ironic's ``http`` and ``http-ipxe`` interfaces.

    As ``pxe_utils.dhcp_options_for_instance`` with
    ``http_boot_enabled``: the loader as a URL below ``[deploy]http_url``
    in option 67 (IPv4) and 59 (IPv6), for ``http-ipxe`` behind
    ``tag:!ipxe``/``tag:!ipxe6`` with Ironic's iPXE script for
    ``tag:ipxe``/``tag:ipxe6``; option 60 ``HTTPClient`` in IPv4, which
    UEFI firmware needs to take a URL as its boot file; no TFTP server.
    The loader is the architecture's own, in its own directory.
    """
    url = (settings_mod.root_url(settings, 'http', node, arch)
           + paths.loader(settings.loader_dir, arch, loader.bootfile))
    if _chains_ipxe(ipxe, loader):
        script = _ipxe_script(settings, node, arch)
        return (_opt('tag:!%s,%s' % (IPXE_TAG, BOOTFILE), url),
                _opt('tag:%s,%s' % (IPXE_TAG, BOOTFILE), script),
                _opt(VENDOR_CLASS, 'HTTPClient'),
                _opt('tag:!%s,%s' % (IPXE6_TAG, BOOTFILE_URL), url, 6),
                _opt('tag:%s,%s' % (IPXE6_TAG, BOOTFILE_URL), script, 6))
    return (_opt(BOOTFILE, url), _opt(VENDOR_CLASS, 'HTTPClient'),
            _opt(BOOTFILE_URL, url, 6))


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
