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

"""Plain, immutable settings the planner reads (no oslo.config here).

``conf/`` builds these from the plugin's options; the driver adds the
values of Ironic's own options; the CLI builds them from a conductor's
ironic.conf. The planner never sees a ConfigOpts object.
"""

import dataclasses
import types

from ironic_multiarch import exception
from ironic_multiarch import safety



def _empty():
    return dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))


def frozen(mapping):
    """Return a read-only copy of a mapping (``None`` -> empty)."""
    return types.MappingProxyType(dict(mapping or {}))


@dataclasses.dataclass(frozen=True)
class ArchSettings:
    """One ``[multiarch_<arch>]`` group.

    :param images: ``deploy_kernel``... -> href (only the ones set).
    :param kernel_append_params: kernel arguments, or ``None``.
    :param console: console argument, or ``None``.
    :param loaders: boot method name -> loader name.
    :param loader_paths: loader file name -> host path.
    :param templates: config format -> template text (already read).
    :param boot_method: name of the boot method of every node, or
        ``None`` for the method of the node's boot mode.
    """

    images: object = _empty()
    kernel_append_params: object = None
    console: object = None
    loaders: object = _empty()
    loader_paths: object = _empty()
    templates: object = _empty()
    boot_method: object = None


@dataclasses.dataclass(frozen=True)
class IronicOptions:
    """The values of Ironic's own options that take part in planning.

    :param by_arch: option label (e.g. ``[conductor]deploy_kernel_by_arch``)
        -> mapping arch -> value.
    :param globals: option label (e.g. ``[conductor]deploy_kernel``) ->
        value, for Ironic's single-architecture options.
    :param loader_file_paths: ``[pxe]loader_file_paths`` (name -> path).
    :param config_subdir: ``[pxe]pxe_config_subdir``: the directory of
        the per-MAC pxelinux and iPXE configs (and of the names Ironic's
        ``boot.ipxe`` chains to).
    :param ipxe_timeout: ``[pxe]ipxe_timeout``, in seconds (0: none).
    :param ipxe_script: file name of Ironic's iPXE script in the HTTP
        root (the base name of ``[pxe]ipxe_boot_script``).
    :param file_permission: ``[pxe]file_permission``; ``None`` or 0
        leaves new files to the umask.
    :param dir_permission: ``[pxe]dir_permission``; ``None`` creates
        directories with 0o755 less the umask.
    :param debug: ``[DEFAULT]debug``: the ramdisk gets ``ipa-debug=1``
        unless the node's arguments already mention ``ipa-debug``.
    """

    by_arch: object = _empty()
    globals: object = _empty()
    loader_file_paths: object = _empty()
    config_subdir: str = 'pxelinux.cfg'
    ipxe_timeout: int = 0
    ipxe_script: str = 'boot.ipxe'
    file_permission: object = 0o644
    dir_permission: object = None
    debug: bool = False


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the planner needs besides the node's own facts.

    :param enabled: canonical names of enabled architectures.
    :param default_arch: architecture of nodes with no ``cpu_arch``.
    :param global_options_arch: the architecture Ironic's global
        single-architecture options are meant for; ``None`` (the
        default): no architecture uses them.
    :param aliases: extra alias -> canonical name.
    :param arch: canonical name -> :class:`ArchSettings`.
    :param ironic: :class:`IronicOptions`.
    :param tftp_server: address firmware fetches TFTP files from
        (Ironic's ``[pxe]tftp_server``).
    :param http_url: base URL of the conductor's HTTP root.
    :param my_ipv6: Ironic's ``[DEFAULT]my_ipv6``: when set, the host
        of the ``tftp://`` URLs of the DHCPv6 options, as in Ironic.
    :param loader_dir: directory (relative to the roots) holding one
        sub-directory of loaders per architecture.
    :param grub_http: GRUB fetches kernel and ramdisk over HTTP.
    :param menu_timeout: seconds a boot menu waits (0: boot at once).
    """

    enabled: tuple = ()
    default_arch: object = None
    global_options_arch: object = None
    aliases: object = _empty()
    arch: object = _empty()
    ironic: IronicOptions = dataclasses.field(default_factory=IronicOptions)
    tftp_server: object = None
    http_url: object = None
    my_ipv6: object = None
    loader_dir: str = 'multiarch'
    grub_http: bool = False
    menu_timeout: int = 5

    def for_arch(self, name):
        """Return the :class:`ArchSettings` of an architecture."""
        return self.arch.get(name) or ArchSettings()


def tftp_server(settings, node, arch):
    """Return the checked TFTP server address a node's firmware uses.

    :raises MissingSetting: if none is configured.
    """
    if not settings.tftp_server:
        raise exception.MissingSetting(
            'its firmware boots over TFTP but no TFTP server is configured',
            node=node, arch=arch, option='[pxe]tftp_server',
            example='192.0.2.10')
    return safety.server(settings.tftp_server, '[pxe]tftp_server', node,
                         arch)


def http_url(settings, node, arch):
    """Return the checked base URL of the conductor's HTTP root.

    :raises MissingSetting: if none is configured.
    """
    if not settings.http_url:
        raise exception.MissingSetting(
            'its boot files are served over HTTP but no HTTP URL is '
            'configured', node=node, arch=arch, option='[deploy]http_url',
            example='http://192.0.2.10:8080')
    return safety.url(settings.http_url, '[deploy]http_url', node, arch)


def root_url(settings, root, node, arch, ip_version=4):
    """The URL of a root's top, with a trailing slash.

    :param root: ``'tftp'`` (``tftp://<tftp_server>/``) or ``'http'``
        (``[deploy]http_url`` + ``/``).
    :param ip_version: 6: the URL a DHCPv6 option carries, whose TFTP
        host is ``[DEFAULT]my_ipv6`` when set, as in Ironic's
        ``_dhcp_option_file_or_url``.
    :returns: the URL; an IPv6 server address is bracketed.
    :raises MissingSetting: if the server of that root is not configured.
    :raises UnsafeValue: if the server address or URL is not acceptable.
    """
    if root == 'http':
        return http_url(settings, node, arch) + '/'
    if ip_version == 6 and settings.my_ipv6:
        host = safety.server(settings.my_ipv6, '[DEFAULT]my_ipv6', node,
                             arch)
    else:
        host = tftp_server(settings, node, arch)
    return 'tftp://%s/' % safety.url_host(host)
