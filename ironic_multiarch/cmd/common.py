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

"""Shared pieces of the ``ironic-multiarch`` commands.

Reading a conductor's ironic.conf without Ironic installed, connecting to
the Bare Metal API with openstacksdk's usual cloud selection, listing
resources with explicit pagination, and printing tables or JSON.
"""

import concurrent.futures
import dataclasses
import json
import os
import sys

from oslo_config import cfg

from ironic_multiarch import conf as conf_pkg
from ironic_multiarch.conf import ironic as ironic_conf
from ironic_multiarch.conf import loading
from ironic_multiarch import exception
from ironic_multiarch import facts as facts_mod
from ironic_multiarch.profiles import loader

#: Everything checked is fine.
EXIT_OK = 0
#: Problems were found, a check failed or a node cannot be planned.
EXIT_PROBLEMS = 1
#: Wrong usage, unreadable configuration, API unreachable, no such node.
EXIT_USAGE = 2

#: The conductor's configuration file, used when ``--config-file`` is not
#: given and it exists.
DEFAULT_CONFIG_FILE = '/etc/ironic/ironic.conf'
#: API microversion used for listings (``fields`` with ``boot_mode``).
MICROVERSION = '1.75'
#: Lowest microversion that has every field but ``boot_mode``.
MIN_MICROVERSION = '1.19'


class UsageError(Exception):
    """An error of the caller's making: exit status :data:`EXIT_USAGE`."""


@dataclasses.dataclass
class Context:
    """A conductor's configuration as the commands need it.

    :param files: the configuration files read.
    :param conf: the private ``ConfigOpts``.
    :param profiles: installed architecture profiles by name.
    :param ironic: :class:`~ironic_multiarch.settings.IronicOptions`.
    :param values: Ironic's other planning values (``'group/name'``).
    :param settings: planner settings, or ``None`` if they are invalid.
    :param error: the :class:`~ironic_multiarch.exception.ConfigError`
        raised building them, if any.
    :param file_url_allowed_paths: Ironic's
        ``[conductor]file_url_allowed_paths`` (a tuple), or ``None`` for
        no restriction.
    """

    files: list
    conf: object
    profiles: dict
    ironic: object
    values: dict
    settings: object = None
    error: object = None
    file_url_allowed_paths: object = None

    def require_settings(self):
        """Return the settings or raise :class:`UsageError`."""
        if self.settings is None:
            raise UsageError('invalid configuration in %s: %s'
                             % (', '.join(self.files) or '(defaults)',
                                self.error))
        return self.settings

    @property
    def default_boot_mode(self):
        """Ironic's ``[deploy]default_boot_mode``."""
        return self.values.get('deploy/default_boot_mode') or 'uefi'

    def extra_kernel_params(self, mode):
        """The arguments the conductor adds for ``mode``.

        :param mode: ``deploy``, ``rescue`` or ``instance``.
        :returns: tuple of kernel arguments (none for ``instance``).
        """
        if mode == 'instance':
            return ()
        return facts_mod.agent_kernel_params(
            self.values.get('service_catalog/endpoint_override'))


def config_files(given):
    """Return the configuration files to read.

    :param given: the ``--config-file`` values (may be empty).
    :returns: ``given``, or :data:`DEFAULT_CONFIG_FILE` if it exists.
    :raises UsageError: if a given file cannot be read.
    """
    if not given:
        return ([DEFAULT_CONFIG_FILE]
                if os.access(DEFAULT_CONFIG_FILE, os.R_OK) else [])
    for path in given:
        if not os.access(path, os.R_OK):
            raise UsageError('cannot read configuration file %s' % path)
    return list(given)


def load_context(files):
    """Read a conductor's configuration like the conductor does.

    :param files: ironic.conf paths (later ones override earlier ones).
    :returns: :class:`Context`; its ``settings`` is ``None`` and ``error``
        set when :func:`~ironic_multiarch.conf.loading.build_settings`
        rejects the configuration.
    :raises UsageError: if a file cannot be parsed.
    :raises ProfileLoadError: if a profile entry point is broken.
    """
    profiles = loader.installed()
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf, sorted(profiles))
    ironic_conf.register_mirror(conf)
    try:
        conf(args=[], project='ironic', default_config_files=list(files),
             default_config_dirs=[], use_env=False)
    except cfg.Error as exc:
        raise UsageError('cannot read %s: %s' % (', '.join(files), exc))
    try:
        options, values = ironic_conf.read(conf)
        allowed = ironic_conf.file_url_allowed_paths(conf)
    except (cfg.Error, ValueError) as exc:
        raise UsageError('invalid value in %s: %s' % (', '.join(files), exc))
    ctx = Context(files=list(files), conf=conf, profiles=profiles,
                  ironic=options, values=values,
                  file_url_allowed_paths=allowed)
    try:
        ctx.settings = loading.build_settings(
            conf, profiles, ironic=options,
            tftp_server=values['pxe/tftp_server'],
            http_url=values['deploy/http_url'],
            my_ipv6=values['DEFAULT/my_ipv6'])
    except (exception.ConfigError, cfg.Error, ValueError) as exc:
        ctx.error = exc
    return ctx


def add_config_argument(parser):
    """Add ``--config-file`` (repeatable) to a parser."""
    parser.add_argument(
        '--config-file', action='append', default=[], metavar='PATH',
        help="The conductor's ironic.conf (repeat for more files; default "
             "%s if readable)." % DEFAULT_CONFIG_FILE)


def add_format_argument(parser):
    """Add ``-f/--format table|json`` to a parser."""
    parser.add_argument('-f', '--format', choices=('table', 'json'),
                        default='table', help='Output format.')


#: How to point the CLI at a Bare Metal API, for error messages.
CLOUD_HINT = ('give --os-cloud NAME (a clouds.yaml entry), the OS_* '
              'variables, or for a standalone Ironic --os-auth-type none '
              '--os-endpoint http://ironic.example.com:6385')


def add_cloud_arguments(parser, argv):
    """Add openstacksdk's cloud selection options to a parser.

    ``--os-cloud`` (clouds.yaml), the ``OS_*`` environment, or e.g.
    ``--os-auth-type none --os-endpoint http://ironic:6385`` for a
    standalone Ironic.

    :param parser: an ``argparse`` parser.
    :param argv: the command line (the auth type selects the options).
    :raises UsageError: if the cloud named cannot be loaded.
    """
    import openstack.config
    from openstack import exceptions as sdk_exc

    try:
        openstack.config.OpenStackConfig().register_argparse_arguments(
            parser, argv, service_keys=['baremetal'])
    except sdk_exc.SDKException as exc:
        raise UsageError('%s; %s' % (str(exc).rstrip('.'), CLOUD_HINT))


def connect(args):
    """Return an openstacksdk connection from parsed arguments.

    :raises UsageError: if no cloud can be configured.
    """
    import openstack.config
    from keystoneauth1 import exceptions as ks_exc
    from openstack import connection
    from openstack import exceptions as sdk_exc

    try:
        region = openstack.config.OpenStackConfig(
            app_name='ironic-multiarch').get_one(argparse=args)
        return connection.Connection(config=region)
    except (sdk_exc.SDKException, ks_exc.ClientException,
            ValueError, KeyError) as exc:
        raise UsageError('cannot configure the cloud connection (%s); %s'
                         % (exc, CLOUD_HINT))


def max_microversion(conn):
    """The highest microversion the Bare Metal API offers, if it says.

    :returns: a tuple such as ``(1, 95)``, or ``None`` if unknown.
    """
    try:
        data = conn.baremetal.get_endpoint_data()
        top = data.max_microversion if data else None
    except Exception:  # noqa: broad: version discovery is best effort
        top = None
    return tuple(top) if top is not None else None


def microversion(conn):
    """The microversion to use for listings, as the server supports.

    :returns: :data:`MICROVERSION` or :data:`MIN_MICROVERSION`.
    """
    top = max_microversion(conn)
    if top is None or top >= (1, 75):
        return MICROVERSION
    return MIN_MICROVERSION


def api_get(conn, url, params=None, version=MICROVERSION):
    """GET a Bare Metal API path or URL and return its JSON body.

    :raises UsageError: on connection errors and HTTP 404.
    :raises RuntimeError: on any other HTTP error.
    """
    from keystoneauth1 import exceptions as ks_exc

    from openstack import exceptions as sdk_exc

    try:
        resp = conn.baremetal.get(url, params=params, microversion=version,
                                  raise_exc=False)
    except (ks_exc.ClientException, sdk_exc.SDKException) as exc:
        raise UsageError('cannot reach the Bare Metal API (%s); %s'
                         % (exc, CLOUD_HINT))
    if resp.status_code == 404:
        raise UsageError('not found: %s' % _api_error(resp))
    if resp.status_code >= 400:
        raise RuntimeError('Bare Metal API error %s on %s: %s'
                           % (resp.status_code, url, _api_error(resp)))
    return resp.json()


def _api_error(resp):
    try:
        body = resp.json()
        return json.loads(body['error_message'])['faultstring']
    except (ValueError, KeyError, TypeError):
        return resp.text[:200]


def iter_pages(conn, resource, fields, page_size, params=None,
               version=MICROVERSION):
    """Yield every page of ``nodes`` or ``ports``, following ``next`` links.

    One request per page: the next page is requested only when the API
    says there is one (Ironic gives a ``next`` link when a page is full).
    While the caller works on a page, the next one is already being
    fetched.

    :param conn: openstacksdk connection.
    :param resource: ``nodes`` or ``ports``.
    :param fields: field names to request (``fields=``).
    :param page_size: the API ``limit``.
    :param params: extra query parameters.
    :returns: iterator of lists of dicts.
    """
    query = dict(params or {})
    query['fields'] = ','.join(fields)
    query['limit'] = page_size
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pending = pool.submit(api_get, conn, '/%s' % resource, query, version)
        while pending is not None:
            body = pending.result()
            url = body.get('next')
            pending = (pool.submit(api_get, conn, url, None, version)
                       if url else None)
            yield body.get(resource) or []


def list_all(conn, resource, fields, page_size, params=None,
             version=MICROVERSION, on_page=None):
    """List every ``nodes`` or ``ports`` item (see :func:`iter_pages`).

    :param on_page: called with the number of items so far after a page.
    :returns: list of dicts.
    """
    items = []
    for page in iter_pages(conn, resource, fields, page_size, params,
                           version):
        items.extend(page)
        if on_page:
            on_page(len(items))
    return items


def format_table(headers, rows):
    """Return rows as aligned text columns under a header.

    :param headers: column titles.
    :param rows: sequences of values (``None`` prints as empty); a value
        with newlines continues on the next lines of its column.
    :returns: text ending with a newline.
    """
    cells = [[str(h) for h in headers]]
    for row in rows:
        split = [('' if v is None else str(v)).split('\n') for v in row]
        height = max(len(s) for s in split) if split else 1
        for i in range(height):
            cells.append([s[i] if i < len(s) else '' for s in split])
    widths = [max(len(r[c]) for r in cells) for c in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append('  '.join(v.ljust(w) for v, w in
                               zip(row, widths)).rstrip())
        if n == 0:
            lines.append('  '.join('-' * w for w in widths))
    return '\n'.join(lines) + '\n'


def format_json(data):
    """Return data as stable, indented JSON text ending with a newline."""
    return json.dumps(data, indent=2, sort_keys=True, default=str) + '\n'


class Progress:
    """Progress on stderr, only when it is a terminal.

    :param stream: where to write (default ``sys.stderr``).
    :param enabled: force on/off; default: ``stream.isatty()``.
    """

    def __init__(self, stream=None, enabled=None):
        self.stream = stream or sys.stderr
        self.enabled = (self.stream.isatty() if enabled is None
                        else enabled)
        self._shown = False

    def update(self, text):
        """Replace the progress line with ``text``."""
        if self.enabled:
            self.stream.write('\r\x1b[K' + text)
            self.stream.flush()
            self._shown = True

    def done(self):
        """Clear the progress line."""
        if self._shown:
            self.stream.write('\r\x1b[K')
            self.stream.flush()
            self._shown = False
