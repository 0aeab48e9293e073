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

"""Reads the Ironic options that take part in planning.

In the conductor they are Ironic's own registered options; in the CLI,
which may run where Ironic is not installed, :func:`register_mirror`
registers the same names on a private ``ConfigOpts`` to read a
conductor's ironic.conf. Options a release lacks are skipped.
"""

import collections.abc
import os

from oslo_config import cfg
from oslo_config import types
from oslo_utils import netutils

from ironic_multiarch import settings as settings_mod

#: Ironic's per-architecture options (group, name).
BY_ARCH = (('conductor', 'deploy_kernel_by_arch'),
           ('conductor', 'deploy_ramdisk_by_arch'),
           ('conductor', 'rescue_kernel_by_arch'),
           ('conductor', 'rescue_ramdisk_by_arch'),
           ('pxe', 'pxe_bootfile_name_by_arch'),
           ('pxe', 'ipxe_bootfile_name_by_arch'))
#: Ironic's single-architecture options (group, name).
GLOBALS = (('conductor', 'deploy_kernel'), ('conductor', 'deploy_ramdisk'),
           ('conductor', 'rescue_kernel'), ('conductor', 'rescue_ramdisk'),
           ('pxe', 'kernel_append_params'),
           ('pxe', 'pxe_bootfile_name'), ('pxe', 'uefi_pxe_bootfile_name'),
           ('pxe', 'ipxe_bootfile_name'), ('pxe', 'uefi_ipxe_bootfile_name'))
#: Ironic's defaults of its bootfile options (the same in 2024.1-2026.2).
BOOTFILE_DEFAULTS = (('pxe_bootfile_name', 'pxelinux.0'),
                     ('uefi_pxe_bootfile_name', 'bootx64.efi'),
                     ('ipxe_bootfile_name', 'undionly.kpxe'),
                     ('uefi_ipxe_bootfile_name', 'snponly.efi'))
#: Other values the plan depends on (group, name).
SERVERS = (('pxe', 'tftp_server'), ('pxe', 'tftp_root'),
           ('deploy', 'http_url'), ('deploy', 'http_root'),
           ('deploy', 'default_boot_mode'),
           ('service_catalog', 'endpoint_override'),
           ('DEFAULT', 'my_ipv6'))
#: Ironic's default of ``[conductor]file_url_allowed_paths`` (2024.1 has
#: no such option and fetches any ``file://`` URL).
FILE_URL_ALLOWED_PATHS_DEFAULT = ('/var/lib/ironic',)


def _get(conf, group, name):
    try:
        return getattr(conf[group] if group != 'DEFAULT' else conf, name)
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError, AttributeError):
        return None


class _LazyOptions(collections.abc.Mapping):
    """Option label -> value, each read from ``conf`` when first asked.

    Ironic re-parses some options (``[pxe]kernel_append_params``) on
    every read; the planner asks for a global option only when the
    precedence reaches it.
    """

    def __init__(self, conf, options):
        self._conf = conf
        self._options = {'[%s]%s' % (g, n): (g, n) for g, n in options}
        self._values = {}

    def __getitem__(self, label):
        if label not in self._values:
            self._values[label] = _get(self._conf, *self._options[label])
        return self._values[label]

    def __iter__(self):
        return iter(self._options)

    def __len__(self):
        return len(self._options)


class ExplicitAbsolutePath(types.ConfigType):
    """An absolute path with no ``..`` or ``.``, as Ironic's type of the same
    name: a trailing ``/`` is dropped, anything else ``os.path.abspath``
    would change is refused.
    """

    def __init__(self, type_name='explicit absolute path'):
        super().__init__(type_name=type_name)

    def __call__(self, value):
        value = str(value)
        if len(value) > 1:
            value = value.rstrip('/')
        if value != os.path.abspath(value):
            raise ValueError('Value must be an absolute path containing no '
                             'path traversal mechanisms, not %r' % value)
        return value

    def __repr__(self):
        return 'explicit absolute path'

    def _formatter(self, value):
        return self.quote_trailing_and_leading_space(value)


def file_url_allowed_paths(conf):
    """Ironic's ``[conductor]file_url_allowed_paths``.

    :param conf: a ``ConfigOpts`` with Ironic's options (or the mirror).
    :returns: a tuple of paths (empty: ``file://`` URLs are disabled), or
        ``None`` if the release has no such option (no restriction).
    :raises ValueError: if a path is not an explicit absolute path.
    """
    value = _get(conf, 'conductor', 'file_url_allowed_paths')
    return None if value is None else tuple(value)


def read(conf):
    """Return Ironic's planning options as plain data.

    :param conf: a ``ConfigOpts`` with Ironic's options (or the mirror).
    :returns: ``(IronicOptions, values)`` where ``values`` maps
        ``'group/name'`` of :data:`SERVERS` and ``'DEFAULT/debug'`` to
        their values.
    """
    options = settings_mod.IronicOptions(
        by_arch=settings_mod.frozen({
            '[%s]%s' % (g, n): settings_mod.frozen(_get(conf, g, n) or {})
            for g, n in BY_ARCH}),
        globals=_LazyOptions(conf, GLOBALS),
        loader_file_paths=settings_mod.frozen(
            _get(conf, 'pxe', 'loader_file_paths') or {}),
        config_subdir=_get(conf, 'pxe', 'pxe_config_subdir')
        or 'pxelinux.cfg',
        ipxe_timeout=_get(conf, 'pxe', 'ipxe_timeout') or 0,
        ipxe_script=os.path.basename(
            _get(conf, 'pxe', 'ipxe_boot_script') or 'boot.ipxe'),
        file_permission=_get(conf, 'pxe', 'file_permission'),
        dir_permission=_get(conf, 'pxe', 'dir_permission'),
        debug=bool(_get(conf, 'DEFAULT', 'debug')))
    values = {'%s/%s' % (g, n): _get(conf, g, n) for g, n in SERVERS}
    values['DEFAULT/debug'] = bool(_get(conf, 'DEFAULT', 'debug'))
    return options, values


def register_mirror(conf):
    """Register Ironic's planning options on a private ``ConfigOpts``.

    Defaults are Ironic's, so reading a conductor's ironic.conf gives the
    values the conductor sees.
    """
    for group, name in BY_ARCH:
        conf.register_opt(cfg.DictOpt(name, default={}), group=group)
    for group, name in GLOBALS[:4]:
        conf.register_opt(cfg.StrOpt(name), group=group)
    conf.register_opts(
        [cfg.StrOpt(name, default=default)
         for name, default in BOOTFILE_DEFAULTS], group='pxe')
    conf.register_opts([
        cfg.StrOpt('kernel_append_params', default='nofb vga=normal'),
        cfg.DictOpt('loader_file_paths', default={}),
        cfg.StrOpt('pxe_config_subdir', default='pxelinux.cfg'),
        cfg.IntOpt('ipxe_timeout', default=0),
        cfg.StrOpt('ipxe_boot_script', default='boot.ipxe'),
        cfg.IntOpt('file_permission', default=0o644),
        cfg.IntOpt('dir_permission'),
        cfg.StrOpt('tftp_server', default='$my_ip'),
        cfg.StrOpt('tftp_root', default='/tftpboot'),
    ], group='pxe')
    conf.register_opts([
        cfg.StrOpt('http_url'),
        cfg.StrOpt('http_root', default='/httpboot'),
        cfg.StrOpt('default_boot_mode', default='uefi'),
    ], group='deploy')
    conf.register_opt(cfg.StrOpt('endpoint_override'),
                      group='service_catalog')
    # As in the Ironic releases that have it: an explicit empty value
    # disables file:// URLs.
    conf.register_opt(
        cfg.ListOpt('file_url_allowed_paths',
                    default=list(FILE_URL_ALLOWED_PATHS_DEFAULT),
                    item_type=ExplicitAbsolutePath()), group='conductor')
    # Ironic's own default: this host's IPv4 address.
    conf.register_opts([cfg.StrOpt('my_ip', default=netutils.get_my_ipv4()),
                        cfg.StrOpt('my_ipv6'),
                        cfg.BoolOpt('debug', default=False)])
