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

"""Ironic's distributed engine on one machine: one API, several conductors.

A :class:`Deployment` runs a private MariaDB (:mod:`multiarch_lab.mariadb`),
one ``ironic-api`` and two or more ``ironic-conductor`` processes, the API
reaching the conductors over JSON-RPC::

    with Deployment(workdir, conductors=3, extra_conf=conf) as dep:
        conn = dep.connection()
        owner = dep.by_host(conn.baremetal.get_node(uuid).conductor)
        dep.stop_conductor('cond-2', signal.SIGKILL)

Each conductor has its own address in 127.0.0.0/8 (``127.0.0.11``,
``.12``, ...), used as ``my_ip``, ``[pxe]tftp_server``, the host of
``[deploy]http_url`` and its JSON-RPC listener, and its own TFTP and HTTP
roots and image caches under ``<workdir>/<name>/``. Its ``[DEFAULT]host``
is its address: the JSON-RPC client of the API connects to the host name
a conductor registered (a name such as ``cond-1`` would have to resolve),
and with a ``[json_rpc]port`` other than 8089 Ironic registers
``<host>:<port>``, the name the API shows in a node's ``conductor``.

The dnsmasq options and hosts directories are shared by every conductor
(``<workdir>/dnsmasq/``): a provisioning network is served by one
dnsmasq, which reads one directory, so each conductor writes its nodes'
``ironic-<uuid>.conf`` where that one server reads it, naming its own
TFTP/HTTP address. A per-conductor directory would need one dnsmasq per
conductor on the same segment, which answers every client several times.

The distributed engine is sped up (:data:`FAST_ENGINE`). Everything
started is stopped by :meth:`Deployment.stop`, also at interpreter exit.
"""

import atexit
import logging
import os
import signal
import subprocess
import time

import requests

from multiarch_lab import mariadb
from multiarch_lab import standalone

LOG = logging.getLogger(__name__)

#: Microversion that shows ``conductor`` and ``conductor_group``.
CONDUCTOR_MICROVERSION = '1.49'

#: For every service: heartbeat every 2 s, dead after 10 s, hash ring
#: rebuilt every 5 s, ACTIVE nodes to take over looked for every 5 s.
FAST_ENGINE = {
    'DEFAULT': {'hash_ring_reset_interval': '5'},
    'conductor': {'heartbeat_interval': '2', 'heartbeat_timeout': '10',
                  'sync_local_state_interval': '5'},
}

#: Deploy interfaces enabled (``ramdisk`` for netboot ACTIVE nodes).
DEPLOY_INTERFACES = 'direct,ramdisk,fake'


def _merge(conf, extra):
    for group, options in (extra or {}).items():
        conf.setdefault(group, {}).update(
            {key: standalone._conf_value(value)
             for key, value in options.items()})
    return conf


class _Service(standalone.StandaloneIronic):
    """One Ironic process of a :class:`Deployment`: the configuration of
    :class:`~multiarch_lab.standalone.StandaloneIronic` with the shared
    database, JSON-RPC and engine options over it, run as ``script``."""

    script = None

    def __init__(self, deployment, name, address, extra_conf=None):
        super().__init__(deployment.path(name), tftp_server=address,
                         port=deployment.api_port,
                         hardware_types=deployment.hardware_types,
                         boot_interfaces=deployment.boot_interfaces)
        self.deployment = deployment
        self.name = name
        self.address = address
        self.own_conf = extra_conf or {}
        self.log_file = self.path('%s.log' % name)
        self.dnsmasq_opts_dir = deployment.path('dnsmasq', 'opts')
        self.dnsmasq_hosts_dir = deployment.path('dnsmasq', 'hosts')

    def config(self):
        """Return the configuration as ``{group: {option: str}}``."""
        dep = self.deployment
        conf = super().config()
        conf['DEFAULT'].update(rpc_transport='json-rpc', host=self.name,
                               my_ip=self.address,
                               enabled_deploy_interfaces=DEPLOY_INTERFACES)
        conf['database'] = {'connection': dep.db_url}
        conf['json_rpc'] = {'auth_strategy': 'noauth'}
        conf['conductor']['file_url_allowed_paths'] = dep.workdir
        _merge(conf, FAST_ENGINE)
        _merge(conf, dep.extra_conf)
        return _merge(conf, self.own_conf)

    def write_config(self):
        """Create the directories and write ``ironic.conf``."""
        os.makedirs(self.path('dnsmasq'), exist_ok=True)
        return super().write_config()

    def start(self):
        """Write the configuration and start the process (no waiting)."""
        self.write_config()
        with open(self.log_file, 'ab') as log:
            self.process = subprocess.Popen(
                [standalone._script(self.script), '--config-file',
                 self.conf_file], stdin=subprocess.DEVNULL, stdout=log,
                stderr=log, start_new_session=True, cwd=self.workdir)
        LOG.debug('Started %(script)s %(name)s (pid %(pid)s)',
                  {'script': self.script, 'name': self.name,
                   'pid': self.process.pid})
        return self

    def failed(self):
        """Whether the process exited or its worker died."""
        return (self.process is None or self.process.poll() is not None
                or self._worker_died())

    def kill(self):
        """SIGKILL every process of the service at once; reap them."""
        if self.process is None:
            return
        self._signal(signal.SIGKILL)
        self.process.wait(10)
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.process = None


class ApiService(_Service):
    """The ``ironic-api`` process of a :class:`Deployment`."""

    script = 'ironic-api'


class Conductor(_Service):
    """One ``ironic-conductor`` of a :class:`Deployment`.

    :ivar name: its name in the deployment, e.g. ``cond-1``.
    :ivar address: its own address (``my_ip``, TFTP server, HTTP host).
    :ivar host: the name it registers (``<address>:<json-rpc port>``), as
        the API shows it in a node's ``conductor`` field.
    :ivar group: its ``[conductor]conductor_group``.
    :ivar tftp_root: its ``[pxe]tftp_root``.
    :ivar http_root: its ``[deploy]http_root``.
    """

    script = 'ironic-conductor'

    def __init__(self, deployment, name, address, group='',
                 extra_conf=None):
        super().__init__(deployment, name, address, extra_conf)
        self.rpc_port = standalone.free_port(address)
        self.host = '%s:%d' % (address, self.rpc_port)
        self.group = group

    def config(self):
        conf = super().config()
        # Ironic registers '<host>:<port>' when [json_rpc]port is not 8089.
        conf['DEFAULT']['host'] = self.address
        conf['json_rpc'].update(host_ip=self.address,
                                port=str(self.rpc_port))
        conf['conductor']['conductor_group'] = self.group
        return conf

    @property
    def roots(self):
        """Its TFTP and HTTP roots."""
        return (self.tftp_root, self.http_root)


class Deployment(object):
    """MariaDB, one ``ironic-api`` and several ``ironic-conductor``.

    :param workdir: directory for everything (created if missing).
    :param conductors: how many conductors (named ``cond-1``...) or a
        list of names.
    :param groups: ``{name: conductor_group}`` (default: no group).
    :param extra_conf: ``{group: {option: value}}`` for every service
        (e.g. the ``[multiarch]`` groups).
    :param conductor_conf: ``{name: {group: {option: value}}}`` merged
        over one conductor's configuration last.
    :param start_timeout: seconds to wait for every service.
    """

    def __init__(self, workdir, conductors=3, groups=None, extra_conf=None,
                 conductor_conf=None, start_timeout=180,
                 hardware_types=standalone.HARDWARE_TYPES,
                 boot_interfaces=standalone.BOOT_INTERFACES):
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.extra_conf = extra_conf or {}
        self.start_timeout = start_timeout
        self.hardware_types = hardware_types
        self.boot_interfaces = boot_interfaces
        self.api_port = standalone.free_port()
        self.url = 'http://127.0.0.1:%d' % self.api_port
        self.db = mariadb.MariaDB(self.path('mariadb'))
        self.db_url = None
        if isinstance(conductors, int):
            conductors = ['cond-%d' % (i + 1) for i in range(conductors)]
        groups = groups or {}
        conductor_conf = conductor_conf or {}
        self.api = ApiService(self, 'api', '127.0.0.1')
        self.conductors = {}
        for index, name in enumerate(conductors):
            self.conductors[name] = Conductor(
                self, name, '127.0.0.%d' % (11 + index),
                group=groups.get(name, ''),
                extra_conf=conductor_conf.get(name))
        self.opts_dir = self.api.dnsmasq_opts_dir
        self.hosts_dir = self.api.dnsmasq_hosts_dir
        self._started = False

    def path(self, *parts):
        """Return an absolute path inside the work directory."""
        return os.path.join(self.workdir, *parts)

    def start(self):
        """Start MariaDB, create the schema, start every service, wait.

        :raises standalone.IronicStartError: with the log tail of the
            service that did not come up (everything is stopped first).
        """
        atexit.register(self.stop)
        self._started = True
        try:
            self.db.start()
            self.db_url = self.db.create_database('ironic', 'ironic',
                                                  'ironic-test')
            self.api.write_config()
            dbsync = subprocess.run(
                [standalone._script('ironic-dbsync'), '--config-file',
                 self.api.conf_file, 'create_schema'],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if dbsync.returncode:
                raise standalone.IronicStartError(
                    'ironic-dbsync failed:\n%s' % dbsync.stdout[-4000:])
            for conductor in self.conductors.values():
                conductor.start()
            self.api.start()
            self._wait(self._api_up, [self.api])
            self._wait(lambda: self.alive() >= set(self.conductors),
                       list(self.conductors.values()))
        except Exception:
            self.stop()
            raise
        return self

    def _api_up(self):
        try:
            return self.api.request('GET', '/v1', timeout=2).ok
        except requests.RequestException:
            return False

    def _wait(self, ready, services, timeout=None):
        deadline = time.monotonic() + (timeout or self.start_timeout)
        while time.monotonic() < deadline:
            if ready():
                return
            for service in services:
                if service.failed():
                    raise standalone.IronicStartError(
                        '%s did not start; last log lines of %s:\n%s'
                        % (service.name, service.log_file,
                           service.log_tail()))
            time.sleep(0.5)
        raise standalone.IronicStartError(
            'timed out after %ss waiting for %s'
            % (timeout or self.start_timeout,
               ', '.join(s.name for s in services)))

    def conductor_list(self):
        """``GET /v1/conductors``: ``[{'hostname', 'alive', ...}]``."""
        resp = self.api.request('GET', '/v1/conductors?detail=true',
                                microversion=CONDUCTOR_MICROVERSION)
        resp.raise_for_status()
        return resp.json()['conductors']

    def alive(self):
        """Names of the conductors the API sees alive."""
        try:
            return {self.by_host(c['hostname']).name
                    for c in self.conductor_list() if c['alive']}
        except (requests.RequestException, KeyError):
            return set()

    def by_host(self, host):
        """The :class:`Conductor` registered as ``host``.

        :raises KeyError: no conductor of this deployment has it.
        """
        for conductor in self.conductors.values():
            if conductor.host == host:
                return conductor
        raise KeyError(host)

    def stop_conductor(self, name, signum=signal.SIGTERM):
        """Stop a conductor: gracefully, or with SIGKILL to every process.

        A SIGTERM lets it deregister (its nodes move at once); after a
        SIGKILL it stays registered until its heartbeat times out.
        """
        conductor = self.conductors[name]
        if signum == signal.SIGKILL:
            conductor.kill()
        else:
            conductor.stop()

    def start_conductor(self, name, timeout=None):
        """Start a stopped conductor and wait until the API sees it alive."""
        conductor = self.conductors[name]
        conductor.start()
        self._wait(lambda: name in self.alive(), [conductor], timeout)
        return conductor

    def wait_dead(self, name, timeout=60):
        """Wait until the API no longer counts ``name`` alive."""
        self._wait(lambda: name not in self.alive(), [], timeout)

    def stop(self):
        """Stop everything started, MariaDB last. Safe to call twice."""
        if not self._started:
            return
        self._started = False
        for service in [self.api] + list(self.conductors.values()):
            try:
                service.stop()
            except Exception as exc:
                LOG.warning('Could not stop %(name)s: %(exc)s',
                            {'name': service.name, 'exc': exc})
                service.kill()
        self.db.stop()
        atexit.unregister(self.stop)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def connection(self):
        """Return an openstacksdk connection to the API (no auth)."""
        return self.api.connection()

    def request(self, method, path, microversion=None, **kwargs):
        """Send a raw API request (see ``StandaloneIronic.request``)."""
        return self.api.request(method, path, microversion, **kwargs)
