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


"""Real BMCs for the lab: libvirtd, sushy-tools (Redfish), VirtualBMC.

:func:`provision_bmc` installs libvirt, QEMU, ipmitool and a virtualenv
with sushy-tools and VirtualBMC (on Debian's ``/usr/bin/python3``, whose
``python3-libvirt`` they use). :class:`Bmc` runs ``virtlogd`` and
``libvirtd`` (inside the lab's namespace, so the domains' taps join its
bridge), ``sushy-emulator`` and ``vbmcd`` (in the root namespace, on
127.0.0.1, where Ironic's conductor reaches them). One BMC lab runs per
host at a time (a lock): libvirtd and virtlogd are per-host singletons.

sushy-tools reports every system's processor as x86-64 (a fixed
template), whatever the domain's architecture.
"""

import atexit
import fcntl
import grp
import logging
import os
import subprocess
import time
import uuid as uuid_mod
import weakref

import requests

from multiarch_lab import domains

LOG = logging.getLogger(__name__)

URI = 'qemu:///system'
LOCK_PATH = '/run/lock/ironic-multiarch-bmc.lock'
#: Pids of the daemons of the running (or a crashed) BMC lab.
STATE_PATH = '/run/lock/ironic-multiarch-bmc.pids'
PID_FILES = {'libvirtd': '/run/libvirtd.pid',
             'virtlogd': '/run/virtlogd.pid'}
IPMI_USER, IPMI_PASSWORD = 'admin', 'password'
_bmcs = weakref.WeakSet()
Domain = domains.Domain
BmcTools = domains.BmcTools
provision_bmc = domains.provision_bmc


@atexit.register
def _close_all():
    for bmc in list(_bmcs):
        bmc.close()


class Bmc(object):
    """libvirtd, sushy-tools and VirtualBMC over the lab's bridge.

    A context manager; :meth:`close` (also at interpreter exit) tears
    everything down, even after errors.

    :param lab: a started :class:`multiarch_lab.Lab`.
    :param workdir: configurations, logs, disks, NVRAMs and serial logs.
    :param assets: :class:`multiarch_lab.Assets` (its OVMF paths).
    :param tools: :class:`BmcTools` (default: :func:`provision_bmc`).
    """

    def __init__(self, lab, workdir, assets, tools=None, sushy_port=8000,
                 ipmi_base_port=6230):
        self.lab, self.assets = lab, assets
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.tools = tools or provision_bmc()
        self.sushy_port, self.ipmi_base_port = sushy_port, ipmi_base_port
        self.domains = {}
        self.pids = {}
        self._sushy = self._vbmcd = self._lock = None
        self._closed = False
        self._vbmc_env = dict(os.environ, VIRTUALBMC_CONFIG=self._path(
            'vbmc', 'virtualbmc.conf'))
        _bmcs.add(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _path(self, *parts):
        return os.path.join(self.workdir, *parts)

    def virsh(self, *args, check=True, timeout=120):
        """Run ``virsh -c qemu:///system`` with ``args``.

        :returns: its stdout.
        """
        proc = subprocess.run([self.tools.virsh, '-c', URI] + list(args),
                              text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout)
        if check and proc.returncode:
            raise RuntimeError('virsh %s failed: %s' % (
                ' '.join(args), proc.stderr.strip()))
        return proc.stdout

    def _save_state(self):
        with open(STATE_PATH, 'w') as f:
            f.write(''.join('%s %d\n' % item for item in self.pids.items()))

    def start(self):
        """Start virtlogd, libvirtd (in the lab's namespace), sushy-emulator
        and vbmcd.

        :raises RuntimeError: if another BMC lab runs, or a daemon that no
            BMC lab started runs already, or a daemon does not start.
        """
        self._lock = open(LOCK_PATH, 'w')
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise RuntimeError('another BMC lab runs on this host (%s is '
                               'locked)' % LOCK_PATH)
        try:
            self._start()
        except Exception:
            self.close()
            raise

    def _start(self):
        stale = {}
        if os.path.exists(STATE_PATH):
            with open(STATE_PATH) as f:
                stale = {n: int(p) for n, p in
                         (line.split() for line in f if line.strip())}
        for name in ('vbmcd', 'sushy'):
            if stale.get(name) and domains.alive(stale[name]):
                domains.stop_pid(stale[name], group=True)
        for name, pid_file in PID_FILES.items():
            pid = domains.read_pid(pid_file)
            if pid and domains.alive(pid):
                if stale.get(name) != pid:
                    raise RuntimeError(
                        '%s (pid %d, %s) runs and no BMC lab started it; '
                        'stop it first' % (name, pid, pid_file))
                LOG.warning('Stopping %(n)s %(p)d of a crashed BMC lab',
                            {'n': name, 'p': pid})
                domains.stop_pid(pid)
            if os.path.exists(pid_file):
                os.unlink(pid_file)
        self._fix_kvm()
        env = dict(os.environ, LIBVIRT_LOG_OUTPUTS='3:file:%s' % self._path(
            'virtlogd.log'))
        subprocess.run([self.tools.virtlogd, '-d'], env=env, check=True)
        self.pids['virtlogd'] = domains.wait('virtlogd pid file', lambda: domains.read_pid(
            PID_FILES['virtlogd']), 20)
        self._save_state()
        self._start_libvirtd()
        self._remove_stale_domains()
        self.start_sushy()
        self._start_vbmcd()

    def _fix_kvm(self):
        """Give /dev/kvm to group kvm: libvirt probes KVM as root, then
        cannot open it as its QEMU user and re-probes at every define.
        """
        if not os.path.exists('/dev/kvm'):
            return
        try:
            gid = grp.getgrnam('kvm').gr_gid
        except KeyError:
            subprocess.run(['groupadd', '--system', 'kvm'], check=True)
            gid = grp.getgrnam('kvm').gr_gid
        os.chown('/dev/kvm', -1, gid)
        os.chmod('/dev/kvm', 0o660)

    def _start_libvirtd(self):
        started = time.monotonic()
        env = dict(os.environ, LIBVIRT_LOG_OUTPUTS='3:file:%s' % self._path(
            'libvirtd.log'))
        subprocess.run(self.lab.exec_argv([self.tools.libvirtd, '-d']),
                       env=env, check=True)
        self.pids['libvirtd'] = domains.wait('libvirtd pid file', lambda: domains.read_pid(
            PID_FILES['libvirtd']), 30)
        self._save_state()

        def answers():
            return subprocess.run(
                [self.tools.virsh, '-c', URI, 'version'],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=120).returncode == 0

        domains.wait('libvirtd answering', answers, 180)
        LOG.info('libvirtd %(pid)d answers after %(s).1fs',
                 {'pid': self.pids['libvirtd'],
                  's': time.monotonic() - started})

    def _remove_stale_domains(self):
        """Undefine the domains a crashed lab left behind."""
        for name in self.virsh('list', '--all', '--name').split():
            desc = self.virsh('desc', name, check=False).strip()
            if desc == domains.DESCRIPTION:
                LOG.warning('Removing stale lab domain %(n)s', {'n': name})
                self.virsh('destroy', name, check=False)
                self.virsh('undefine', name, '--nvram', check=False)

    def _start_vbmcd(self):
        base = self._path('vbmc')
        os.makedirs(os.path.join(base, 'conf'), exist_ok=True)
        with open(self._vbmc_env['VIRTUALBMC_CONFIG'], 'w') as f:
            f.write('[default]\nconfig_dir = %s\npid_file = %s\n'
                    'server_port = %d\n[log]\nlogfile = %s\n' % (
                        os.path.join(base, 'conf'),
                        os.path.join(base, 'master.pid'),
                        self.sushy_port + 50891 - 8000,
                        self._path('vbmcd.log')))
        with open(self._path('vbmcd.stderr'), 'w') as errors:
            self._vbmcd = subprocess.Popen(
                [self.tools.vbmcd, '--foreground'], env=self._vbmc_env,
                stdin=subprocess.DEVNULL, stdout=errors,
                stderr=subprocess.STDOUT, start_new_session=True)
        self.pids['vbmcd'] = self._vbmcd.pid
        self._save_state()
        domains.wait('vbmcd answering', lambda: self._vbmc('list', check=False)
              is not None, 30)

    def _vbmc(self, *args, check=True):
        proc = subprocess.run([self.tools.vbmc] + list(args),
                              env=self._vbmc_env, text=True,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=60)
        if proc.returncode:
            if check:
                raise RuntimeError('vbmc %s failed: %s' % (
                    ' '.join(args), proc.stdout.strip()))
            return None
        return proc.stdout

    def start_sushy(self):
        """Start sushy-emulator and wait until it answers."""
        conf = self._path('sushy.conf')
        loaders = {'x86_64': self.assets.ovmf_code,
                   'aarch64': domains.ARCH_DEFAULTS['aarch64']['loader']}
        with open(conf, 'w') as f:
            f.write("SUSHY_EMULATOR_LISTEN_IP = '127.0.0.1'\n"
                    "SUSHY_EMULATOR_LISTEN_PORT = %d\n"
                    "SUSHY_EMULATOR_SSL_CERT = None\n"
                    "SUSHY_EMULATOR_SSL_KEY = None\n"
                    "SUSHY_EMULATOR_LIBVIRT_URI = %r\n"
                    "SUSHY_EMULATOR_IGNORE_BOOT_DEVICE = False\n"
                    "SUSHY_EMULATOR_BOOT_LOADER_MAP = {'UEFI': %r, "
                    "'Legacy': {'x86_64': None, 'aarch64': None}}\n"
                    % (self.sushy_port, URI, loaders))
        with open(self._path('sushy.log'), 'a') as log:
            self._sushy = subprocess.Popen(
                [self.tools.sushy_emulator, '--config', conf],
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self.pids['sushy'] = self._sushy.pid
        self._save_state()

        def answers():
            if self._sushy.poll() is not None:
                raise RuntimeError('sushy-emulator exited (%s), see %s' % (
                    self._sushy.returncode, self._path('sushy.log')))
            try:
                return requests.get(self.redfish_address +
                                    '/redfish/v1/Systems',
                                    timeout=5).status_code == 200
            except requests.RequestException:
                return False

        domains.wait('sushy-emulator answering', answers, 60)

    def kill_sushy(self):
        """SIGKILL sushy-emulator (a fault)."""
        if self._sushy is not None and self._sushy.poll() is None:
            self._sushy.kill()
            self._sushy.wait(10)
        self._sushy = None
        self.pids.pop('sushy', None)

    def restart_sushy(self):
        """SIGKILL sushy-emulator, then start it again."""
        self.kill_sushy()
        self.start_sushy()

    def restart_libvirtd(self):
        """Restart libvirtd (in the namespace), then sushy-emulator."""
        domains.stop_pid(self.pids.pop('libvirtd', None))
        if os.path.exists(PID_FILES['libvirtd']):
            os.unlink(PID_FILES['libvirtd'])
        self._start_libvirtd()
        self.restart_sushy()

    @property
    def redfish_address(self):
        """``http://127.0.0.1:<sushy_port>``."""
        return 'http://127.0.0.1:%d' % self.sushy_port

    def define(self, name, arch, mac, firmware='uefi', http_boot=False,
               memory_mib=1024, disk_gib=5):
        """Define a domain on the bridge, powered off.

        :returns: :class:`~multiarch_lab.domains.Domain`.
        :raises ValueError: for an unsupported machine or a name reused.
        """
        if name in self.domains:
            raise ValueError('domain %s is already defined' % name)
        started = time.monotonic()
        domain = domains.create_domain(
            self.virsh, self.workdir, name, arch, mac.lower(), firmware,
            http_boot, memory_mib, disk_gib, self.lab.bridge,
            str(uuid_mod.uuid4()), self.assets)
        self.domains[name] = domain
        LOG.info('Defined %(n)s (%(a)s %(f)s) in %(s).1fs',
                 {'n': name, 'a': arch, 'f': firmware,
                  's': time.monotonic() - started})
        return domain

    def redfish_driver_info(self, domain):
        """:returns: Ironic ``redfish`` driver_info for ``domain``."""
        return {'redfish_address': self.redfish_address,
                'redfish_system_id': '/redfish/v1/Systems/%s' % domain.uuid,
                'redfish_verify_ca': False}

    def add_ipmi(self, domain):
        """Give ``domain`` a VirtualBMC on 127.0.0.1 and start it.

        :returns: Ironic ``ipmi`` driver_info for ``domain``.
        """
        if domain.ipmi_port is None:
            port = self.ipmi_base_port + sum(
                1 for d in self.domains.values() if d.ipmi_port is not None)
            self._vbmc('add', domain.name, '--port', str(port), '--address',
                       '127.0.0.1', '--username', IPMI_USER, '--password',
                       IPMI_PASSWORD, '--libvirt-uri', URI)
            self._vbmc('start', domain.name)
            domain.ipmi_port = port
        return {'ipmi_address': '127.0.0.1', 'ipmi_port': domain.ipmi_port,
                'ipmi_username': IPMI_USER, 'ipmi_password': IPMI_PASSWORD}

    def power_state(self, domain):
        """:returns: ``'on'`` or ``'off'``, from ``virsh domstate``."""
        return domains.power_state(self.virsh, domain.name)

    def close(self):
        """Remove the domains, stop vbmcd, sushy-emulator, libvirtd and
        virtlogd, and remove their pid files. Idempotent.
        """
        if self._closed:
            return
        self._closed = True
        if self.pids.get('libvirtd') and domains.alive(self.pids['libvirtd']):
            for domain in self.domains.values():
                try:
                    domains.remove_domain(self.virsh, domain)
                except Exception as exc:
                    LOG.warning('Removing %(n)s failed: %(e)s',
                                {'n': domain.name, 'e': exc})
        if self._vbmcd is not None:
            domains.stop_pid(self._vbmcd.pid, timeout=10, group=True)
            self._vbmcd.wait(5)
        self.kill_sushy()
        for name in ('libvirtd', 'virtlogd'):
            domains.stop_pid(self.pids.pop(name, None))
            if os.path.exists(PID_FILES[name]):
                os.unlink(PID_FILES[name])
        self.pids.clear()
        if self._lock is not None:
            if os.path.exists(STATE_PATH):
                os.unlink(STATE_PATH)
            self._lock.close()
            self._lock = None
        _bmcs.discard(self)
