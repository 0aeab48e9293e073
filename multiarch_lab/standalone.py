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

"""Run a real all-in-one Ironic (API + conductor) on 127.0.0.1 with sqlite.

Used by the functional tests and by ``tools/demo.sh`` (``python -m multiarch_lab.demo``). Ironic runs
as a subprocess of the current interpreter's environment (the ``ironic`` and
``ironic-dbsync`` console scripts next to :data:`sys.executable`); nothing
here imports ``ironic``. Everything it writes (configuration, database, TFTP
and HTTP roots, dnsmasq files, logs) lives under one work directory::

    with StandaloneIronic(workdir, extra_conf={'multiarch': {...}}) as ir:
        conn = ir.connection()
        conn.baremetal.create_node(driver='fake-hardware', ...)

Only interfaces that need no external binary or service are enabled
(fake, manual management, noop): enabling ``ipmi`` without ``ipmitool``
makes the conductor worker crash-loop at start.
"""

import configparser
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests

LOG = logging.getLogger(__name__)

#: Hardware types enabled by default.
HARDWARE_TYPES = ('fake-hardware', 'multiarch-manual')
#: Boot interfaces enabled by default.
BOOT_INTERFACES = ('multiarch-pxe', 'multiarch-ipxe', 'pxe', 'ipxe', 'fake')
#: Microversion sent by :meth:`StandaloneIronic.set_provision_state`
#: (aborting from ``wait call-back`` needs 1.110 on Ironic 39.0.0).
PROVISION_MICROVERSION = '1.110'

#: What Ironic's process manager (cotyledon) logs when a worker dies; at
#: start it means a crash loop (e.g. an enabled interface cannot load).
_WORKER_DIED = 'exited with status'

_INTERFACES = {
    'enabled_bios_interfaces': 'no-bios,fake',
    'enabled_console_interfaces': 'no-console,fake',
    'enabled_deploy_interfaces': 'direct,fake',
    'enabled_firmware_interfaces': 'no-firmware,fake',
    'enabled_inspect_interfaces': 'no-inspect,fake',
    'enabled_management_interfaces': 'fake,noop',
    'enabled_network_interfaces': 'noop,flat',
    'default_network_interface': 'noop',
    'enabled_power_interfaces': 'fake',
    'enabled_raid_interfaces': 'no-raid,agent,fake',
    'enabled_rescue_interfaces': 'no-rescue,fake',
    'enabled_storage_interfaces': 'noop',
    'enabled_vendor_interfaces': 'no-vendor,fake',
}


class IronicStartError(RuntimeError):
    """Ironic did not come up; the message carries the log tail."""


def free_port(host='127.0.0.1'):
    """Return a TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _script(name):
    """Return the console script ``name`` installed beside the interpreter.

    :raises IronicStartError: if it is not there (Ironic not installed).
    """
    path = os.path.join(os.path.dirname(sys.executable), name)
    if not os.access(path, os.X_OK):
        path = shutil.which(name)
    if not path:
        raise IronicStartError('%s not found beside %s nor on PATH: install '
                               'ironic in this environment'
                               % (name, sys.executable))
    return path


def session_pids(sid):
    """Return the ids of live processes in session ``sid`` (Linux /proc).

    Ironic is started in a session of its own, so this finds the master,
    its workers and anything they spawned, even if they changed process
    group.
    """
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as stat:
                fields = stat.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state, [2] the process group, [3] the session.
        if fields[0] != 'Z' and int(fields[3]) == sid:
            pids.append(int(entry))
    return pids


def make_fake_images(directory, arches):
    """Write tiny fake deploy kernel and ramdisk files per architecture.

    :param directory: where to write them (created if missing).
    :param arches: iterable of architecture names.
    :returns: ``{arch: {'deploy_kernel': href, 'deploy_ramdisk': href}}``
        with ``file://`` hrefs.
    """
    os.makedirs(directory, exist_ok=True)
    images = {}
    for arch in arches:
        images[arch] = {}
        for role in ('kernel', 'ramdisk'):
            path = os.path.abspath(os.path.join(
                directory, 'ipa-%s.%s' % (arch, role)))
            with open(path, 'w') as image:
                image.write('fake %s %s\n' % (arch, role))
            images[arch]['deploy_%s' % role] = 'file://' + path
    return images


def make_fake_loaders(directory, names):
    """Write tiny dummy boot loader files.

    :param directory: where to write them (created if missing).
    :param names: loader file names, e.g. ``grubaa64.efi``.
    :returns: ``{name: absolute path}``.
    """
    os.makedirs(directory, exist_ok=True)
    paths = {}
    for name in names:
        paths[name] = os.path.abspath(os.path.join(directory, name))
        with open(paths[name], 'w') as loader:
            loader.write('dummy loader %s\n' % name)
    return paths


class Service(object):
    """A server process run by a test: a context manager (``start`` and
    ``stop``) with a log file (``log_file``)."""

    log_file = None

    def log_tail(self, lines=40):
        """Return the last ``lines`` lines of the log."""
        try:
            with open(self.log_file, errors='replace') as log:
                return ''.join(log.readlines()[-lines:])
        except OSError as exc:
            return '(no log: %s)' % exc

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class StandaloneIronic(Service):
    """An all-in-one Ironic process with its configuration and files.

    :param workdir: directory for everything (created if missing).
    :param hardware_types: ``enabled_hardware_types``.
    :param boot_interfaces: ``enabled_boot_interfaces``.
    :param extra_conf: ``{group: {option: value}}`` merged over the
        generated configuration (e.g. the ``[multiarch]`` groups); list
        values are joined with commas, dict values as ``k:v,k:v``.
    :param tftp_server: the ``[pxe]tftp_server`` address.
    :param http_url: the ``[deploy]http_url`` (default:
        ``http://<tftp_server>:8080``). Nothing here serves it: a test
        that boots machines runs its own HTTP server on ``http_root``.
    :param port: API port (default: a free one).
    :param start_timeout: seconds to wait for the API in :meth:`start`.
    :param api_host: the address the API listens on (and, through
        ``[service_catalog]endpoint_override``, the ``ipa-api-url`` a
        deploy ramdisk gets).
    """

    def __init__(self, workdir, hardware_types=HARDWARE_TYPES,
                 boot_interfaces=BOOT_INTERFACES, extra_conf=None,
                 tftp_server='127.0.0.1', port=None, start_timeout=60,
                 debug=False, http_url=None, api_host='127.0.0.1'):
        self.workdir = os.path.abspath(workdir)
        self.hardware_types = list(hardware_types)
        self.boot_interfaces = list(boot_interfaces)
        self.extra_conf = extra_conf or {}
        self.tftp_server = tftp_server
        self.http_url = http_url or 'http://%s:8080' % tftp_server
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.debug = debug
        self.api_host = api_host
        self.url = 'http://%s:%d' % (api_host, self.port)
        self.conf_file = self.path('ironic.conf')
        self.log_file = self.path('ironic.log')
        self.tftp_root = self.path('tftpboot')
        self.http_root = self.path('httpboot')
        self.dnsmasq_opts_dir = self.path('dnsmasq', 'opts')
        self.dnsmasq_hosts_dir = self.path('dnsmasq', 'hosts')
        self.process = None

    def path(self, *parts):
        """Return an absolute path inside the work directory."""
        return os.path.join(self.workdir, *parts)

    def config(self):
        """Return the configuration as ``{group: {option: str}}``."""
        w = self.path
        conf = {
            'DEFAULT': dict(
                auth_strategy='noauth', rpc_transport='none',
                host='standalone', my_ip='127.0.0.1',
                debug=str(self.debug), use_stderr='true',
                enabled_hardware_types=','.join(self.hardware_types),
                enabled_boot_interfaces=','.join(self.boot_interfaces),
                **_INTERFACES),
            'api': {'host_ip': self.api_host, 'port': str(self.port),
                    'api_workers': '1'},
            'service_catalog': {'endpoint_override': self.url},
            'database': {'connection': 'sqlite:///' + w('ironic.sqlite')},
            'conductor': {'automated_clean': 'false',
                          'graceful_shutdown_timeout': '10',
                          'file_url_allowed_paths': self.workdir},
            'dhcp': {'dhcp_provider': 'dnsmasq'},
            'dnsmasq': {'dhcp_optsdir': self.dnsmasq_opts_dir,
                        'dhcp_hostsdir': self.dnsmasq_hosts_dir,
                        'dhcp_leasefile': w('dnsmasq', 'leases')},
            'pxe': {'tftp_root': self.tftp_root,
                    'tftp_master_path': w('tftpboot', 'master_images'),
                    'images_path': w('images'),
                    'instance_master_path': w('master_images'),
                    'tftp_server': self.tftp_server},
            'deploy': {'http_root': self.http_root,
                       'http_url': self.http_url,
                       'default_boot_mode': 'uefi'},
            'oslo_concurrency': {'lock_path': w('locks')},
            'vnc': {'enabled': 'false'},
        }
        for group, options in self.extra_conf.items():
            conf.setdefault(group, {}).update(
                {key: _conf_value(value) for key, value in options.items()})
        return conf

    def write_config(self):
        """Create the directories and write ``ironic.conf``."""
        for directory in (self.tftp_root, self.http_root,
                          self.dnsmasq_opts_dir, self.dnsmasq_hosts_dir,
                          self.path('locks'), self.path('images'),
                          self.path('master_images')):
            os.makedirs(directory, exist_ok=True)
        # Ironic's dnsmasq provider reads the lease file: it must exist.
        open(self.path('dnsmasq', 'leases'), 'a').close()
        parser = configparser.RawConfigParser()
        parser.optionxform = str
        for group, options in self.config().items():
            if group != 'DEFAULT':
                parser.add_section(group)
            for key, value in options.items():
                parser.set(group, key, value)
        with open(self.conf_file, 'w') as conf:
            parser.write(conf)
        return self.conf_file

    def start(self):
        """Write the config, create the schema, start Ironic, wait for /v1.

        :raises IronicStartError: with the log tail, if the schema cannot
            be created or the API does not answer within ``start_timeout``
            seconds (the process is stopped first).
        """
        self.write_config()
        if not os.path.exists(self.path('ironic.sqlite')):
            dbsync = subprocess.run(
                [_script('ironic-dbsync'), '--config-file', self.conf_file,
                 'create_schema'], stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
            if dbsync.returncode:
                raise IronicStartError('ironic-dbsync failed:\n%s'
                                       % dbsync.stdout[-4000:])
        with open(self.log_file, 'ab') as log:
            self.process = subprocess.Popen(
                [_script('ironic'), '--config-file', self.conf_file],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, cwd=self.workdir)
        LOG.debug('Started ironic (pid %(pid)s) on %(url)s',
                  {'pid': self.process.pid, 'url': self.url})
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None or self._worker_died():
                break
            try:
                if requests.get(self.url + '/v1', timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        status = self.process.poll()
        reason = ('exited with status %s' % status if status is not None
                  else 'its worker died' if self._worker_died()
                  else 'timed out after %ss' % self.start_timeout)
        self.stop()
        raise IronicStartError(
            'Ironic did not answer on %s/v1 (%s); last log lines of %s:\n%s'
            % (self.url, reason, self.log_file, self.log_tail()))

    def _worker_died(self):
        """Whether the log shows a worker exit (a crash loop at start)."""
        try:
            with open(self.log_file, errors='replace') as log:
                return _WORKER_DIED in log.read()
        except OSError:
            return False

    def pids(self):
        """Return the ids of every live process of this Ironic."""
        if self.process is None:
            return []
        return session_pids(self.process.pid)

    def stop(self, timeout=20):
        """Stop Ironic: SIGTERM its session, wait, then SIGKILL leftovers.

        Safe to call twice. Reaps the master process.
        """
        if self.process is None:
            return
        self._signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.poll()
            if not self.pids():
                break
            time.sleep(0.1)
        else:
            LOG.warning('Ironic did not stop in %(t)ss, killing %(pids)s',
                        {'t': timeout, 'pids': self.pids()})
            self._signal(signal.SIGKILL)
            self.process.wait(10)
            for _ in range(50):
                if not self.pids():
                    break
                time.sleep(0.1)
        self.process.wait(10)
        LOG.debug('Stopped ironic (pid %(pid)s), exit status %(rc)s',
                  {'pid': self.process.pid, 'rc': self.process.returncode})
        self.process = None

    def _signal(self, signum):
        for pid in [self.process.pid] + self.pids():
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    def connection(self):
        """Return an openstacksdk connection to this Ironic (no auth)."""
        import openstack
        return openstack.connect(auth_type='none',
                                 baremetal_endpoint_override=self.url)

    def request(self, method, path, microversion=None, **kwargs):
        """Send a raw API request; ``path`` is relative to the API root.

        :returns: the :class:`requests.Response` (not checked).
        """
        headers = kwargs.pop('headers', {})
        if microversion:
            headers['X-OpenStack-Ironic-API-Version'] = microversion
        return requests.request(method, self.url + path, headers=headers,
                                timeout=kwargs.pop('timeout', 30), **kwargs)

    def set_provision_state(self, node, target,
                            microversion=PROVISION_MICROVERSION, **body):
        """Raw ``PUT /v1/nodes/<node>/states/provision``.

        openstacksdk sends some verbs (``abort`` from ``wait call-back``)
        with too old a microversion; this sends ``microversion``.

        :param node: node UUID or name.
        :param target: the verb, e.g. ``abort``.
        :param body: extra body fields (``clean_steps``, ...).
        :raises requests.HTTPError: if Ironic refuses.
        """
        body['target'] = target
        resp = self.request('PUT', '/v1/nodes/%s/states/provision' % node,
                            microversion=microversion, json=body)
        resp.raise_for_status()
        return resp


def _conf_value(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return ','.join('%s:%s' % item for item in value.items())
    if isinstance(value, (list, tuple)):
        return ','.join(str(item) for item in value)
    return str(value)
