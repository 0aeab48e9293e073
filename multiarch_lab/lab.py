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

"""The lab: a network namespace, its bridge, taps, dnsmasq, HTTP and QEMU.

Everything runs inside one namespace, so the lab's addresses
(``10.20.0.0/24`` and ``fd20::/64`` by default) exist nowhere else and
several labs can run side by side. A new lab first removes the
namespaces of labs whose process is gone (:mod:`multiarch_lab.netns`).
"""

import atexit
import concurrent.futures
import dataclasses
import itertools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref

from multiarch_lab import assets as assets_mod
from multiarch_lab import boot_checks
from multiarch_lab import dnsmasq as dnsmasq_mod
from multiarch_lab import httpd
from multiarch_lab import netns
from multiarch_lab import qemu

LOG = logging.getLogger(__name__)

_counter = itertools.count()
_labs = weakref.WeakSet()


@atexit.register
def _close_all():
    for lab in list(_labs):
        lab.close()


@dataclasses.dataclass
class Machine:
    """A QEMU machine of the lab: its tap and its firmware."""

    name: str
    arch: str
    firmware: str
    mac: str
    tap: str
    http_boot: bool = False
    ipv6: bool = False


class Lab(object):
    """A network namespace with a bridge, dnsmasq, HTTP and QEMU machines.

    :param workdir: where configurations, logs and serial logs go.
    :param subnet: the first three octets of the IPv4 /24; the bridge is
        ``.1``, DHCP hands out ``.100``-``.199``.
    :param ula: the IPv6 ULA /64 prefix; the bridge is ``<ula>1``.
    :param assets: :class:`~multiarch_lab.assets.Assets` (default:
        :func:`~multiarch_lab.assets.provision` on the first boot).
    """

    bridge = 'br0'

    def __init__(self, workdir, subnet='10.20.0', ula='fd20::', assets=None):
        if os.geteuid() != 0:
            raise RuntimeError('the lab needs root (network namespaces)')
        netns.sweep_stale()
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.assets = assets
        self.bridge_ip = '%s.1' % subnet
        self.bridge_ip6 = '%s1' % ula
        self.ula = ula
        self.ns = '%s-%d-%d' % (netns.PREFIX, os.getpid(), next(_counter))
        self.machines = {}
        self.dnsmasqs = []
        self.http_servers = []
        self._procs = {}
        self._lock = threading.Lock()
        self._closed = False
        _labs.add(self)
        try:
            self._create()
        except Exception:
            self.close()
            raise

    def _create(self):
        ns, br = self.ns, self.bridge
        netns.ip('netns', 'add', ns)
        for args in (('link', 'set', 'lo', 'up'),
                     ('link', 'add', br, 'type', 'bridge', 'forward_delay',
                      '0', 'stp_state', '0'),
                     ('addr', 'add', self.bridge_ip + '/24', 'dev', br),
                     ('addr', 'add', self.bridge_ip6 + '/64', 'dev', br,
                      'nodad'),
                     ('link', 'set', br, 'up')):
            netns.ip('-n', ns, *args)
        LOG.debug('Lab namespace %(ns)s: %(br)s %(ip)s %(ip6)s',
                  {'ns': ns, 'br': br, 'ip': self.bridge_ip,
                   'ip6': self.bridge_ip6})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def exec_argv(self, argv):
        """:returns: ``argv`` run inside the lab's namespace."""
        return ['ip', 'netns', 'exec', self.ns] + list(argv)

    def uplink(self, host=254):
        """Join the root namespace to the lab's bridge through a veth pair.

        Services that run outside the namespace (Ironic's API, whose
        address the deploy ramdisk must reach) then listen on the
        returned address, which the lab's machines reach on their bridge.
        Deleting the namespace removes the pair.

        :param host: the last octet of the root side's address.
        :returns: the root side's IPv4 address, e.g. ``10.20.0.254``.
        """
        if getattr(self, 'uplink_ip', None):
            return self.uplink_ip
        outside = 'mlu%s' % ''.join(self.ns.split('-')[1:])[-12:]
        netns.ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'up0',
            'netns', self.ns)
        netns.ip('-n', self.ns, 'link', 'set', 'up0', 'master', self.bridge)
        netns.ip('-n', self.ns, 'link', 'set', 'up0', 'up')
        address = '%s.%d' % (self.bridge_ip.rsplit('.', 1)[0], host)
        netns.ip('addr', 'add', address + '/24', 'dev', outside)
        netns.ip('link', 'set', outside, 'up')
        self.uplink_ip = address
        return address

    def http_url(self, port=8080):
        """:returns: ``http://<bridge ip>[:port]`` (no ``:80``)."""
        if port == 80:
            return 'http://%s' % self.bridge_ip
        return 'http://%s:%d' % (self.bridge_ip, port)

    def _track(self, proc):
        with self._lock:
            self._procs[proc.pid] = proc

    def _untrack(self, proc):
        with self._lock:
            self._procs.pop(proc.pid, None)

    def _path(self, *parts):
        return os.path.join(self.workdir, *parts)

    def add_machine(self, arch, firmware, mac, http_boot=False, name=None,
                    ipv6=False):
        """Add a tap on the bridge for one machine.

        :param arch: ``x86_64`` or ``aarch64``.
        :param firmware: ``bios`` (x86_64 only) or ``uefi``.
        :param mac: the MAC of the machine's NIC (its enrolled port's).
        :param http_boot: UEFI HTTP boot instead of PXE (see
            :func:`~multiarch_lab.qemu.qemu_command`).
        :param name: a name for logs (default: the tap's).
        :param ipv6: UEFI PXE over IPv6 only (IPv4 PXE off); the lab's
            dnsmasq needs ``dhcpv6=True``.
        :returns: :class:`Machine`.
        :raises ValueError: for an impossible machine or a MAC used twice.
        """
        if arch not in qemu.ARCHES or firmware not in ('bios', 'uefi') or (
                arch == 'aarch64' and firmware == 'bios') or (
                (http_boot or ipv6) and firmware != 'uefi') or (
                http_boot and ipv6):
            raise ValueError('unsupported machine %s/%s%s%s' % (
                arch, firmware, ' HTTP boot' if http_boot else '',
                ' IPv6 PXE' if ipv6 else ''))
        mac = mac.lower()
        if any(m.mac == mac for m in self.machines.values()):
            raise ValueError('MAC %s is already in the lab' % mac)
        tap = 'tap%d' % len(self.machines)
        netns.ip('-n', self.ns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap')
        netns.ip('-n', self.ns, 'link', 'set', tap, 'master', self.bridge)
        netns.ip('-n', self.ns, 'link', 'set', tap, 'up')
        machine = Machine(name or tap, arch, firmware, mac, tap, http_boot,
                          ipv6)
        self.machines[machine.name] = machine
        return machine

    def http_server(self, root, port=8080):
        """Serve ``root`` over HTTP on the bridge address.

        :returns: :class:`~multiarch_lab.httpd.HttpServer`, once listening.
        :raises RuntimeError: if it does not start.
        """
        log = self._path('http-%d.log' % port)
        errors = open(self._path('http-%d.stderr' % port), 'w+')
        proc = subprocess.Popen(
            self.exec_argv([sys.executable, '-m', 'multiarch_lab.httpd',
                            '--bind', self.bridge_ip, '--port', str(port),
                            '--root', root, '--log', log]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
            start_new_session=True, text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self._track(proc)
        if proc.stdout.readline().strip() != 'ready':
            proc.wait(5)
            errors.seek(0)
            raise RuntimeError('HTTP server on port %d did not start: %s'
                               % (port, errors.read()[-2000:]))
        errors.close()
        server = httpd.HttpServer(self.http_url(port), port, root, log, proc)
        self.http_servers.append(server)
        return server

    def dnsmasq(self, hostsdir, optsdir, tftp_root, http_root=None,
                extra_conf=(), leasefile=None, http_port=8080,
                dhcpv6=False):
        """Start dnsmasq in the namespace.

        :param hostsdir: Ironic's ``[dnsmasq]dhcp_hostsdir``.
        :param optsdir: Ironic's ``[dnsmasq]dhcp_optsdir``.
        :param tftp_root: Ironic's ``[pxe]tftp_root``.
        :param http_root: if given, also serve it over HTTP on
            ``http_port`` (:meth:`http_server`).
        :param extra_conf: configuration lines appended as they are.
        :param leasefile: the lease file (Ironic's ``[dnsmasq]
            dhcp_leasefile`` lets Ironic see the addresses); default a new
            one in the work directory. It is emptied: a MAC with a lease
            skips the ping and would time differently.
        :param dhcpv6: stateful DHCPv6 on the ULA (``<ula>100``-
            ``<ula>1ff``, router advertisements with the managed flag)
            instead of router advertisements only.
        :returns: :class:`~multiarch_lab.dnsmasq.Dnsmasq`, once ready.
        :raises RuntimeError: if dnsmasq does not start.
        """
        n = len(self.dnsmasqs)
        leasefile = leasefile or self._path('dnsmasq-%d.leases' % n)
        open(leasefile, 'w').close()
        conf = self._path('dnsmasq-%d.conf' % n)
        log = self._path('dnsmasq-%d.log' % n)
        open(log, 'w').close()
        with open(conf, 'w') as f:
            f.write(dnsmasq_mod.render_config(
                self.bridge, self.bridge_ip, self.ula,
                os.path.abspath(tftp_root), os.path.abspath(hostsdir),
                os.path.abspath(optsdir), leasefile, log,
                self._path('dnsmasq-%d.pid' % n), extra_conf,
                dhcpv6=dhcpv6))
        server = dnsmasq_mod.Dnsmasq(conf, log, leasefile, None)
        self._spawn_dnsmasq(server)
        self.dnsmasqs.append(server)
        if http_root:
            self.http_server(http_root, http_port)
        return server

    def _spawn_dnsmasq(self, server, since=0):
        errors_path = server.conf_path[:-len('.conf')] + '.stderr'
        with open(errors_path, 'a') as errors:
            proc = subprocess.Popen(
                self.exec_argv(['dnsmasq', '--keep-in-foreground',
                                '--conf-file=%s' % server.conf_path]),
                stdin=subprocess.DEVNULL, stdout=errors,
                stderr=subprocess.STDOUT, start_new_session=True)
        self._track(proc)
        server.process = proc
        try:
            server.wait_ready(since=since)
        except RuntimeError as exc:
            with open(errors_path) as errors:
                raise RuntimeError('%s\n%s' % (exc, errors.read()[-2000:]))

    def restart_dnsmasq(self, server):
        """Stop a dnsmasq of the lab and start it again, as a service
        restart does: same configuration, log and lease file.

        :returns: the seconds it was not serving.
        """
        start = time.monotonic()
        since = server.log_size()
        server.stop()
        self._untrack(server.process)
        self._spawn_dnsmasq(server, since=since)
        return time.monotonic() - start

    def unserved(self, optsdir, tftp_root):
        """Files Ironic's option files advertise that the lab would not
        deliver (see :func:`multiarch_lab.dnsmasq.unserved`).

        :returns: ``[(file name, option, value, reason)]``.
        """
        return dnsmasq_mod.unserved(optsdir, os.path.abspath(tftp_root),
                                    self.http_servers, self.bridge_ip)

    def boot(self, machine, timeout=150, log_path=None, until=None):
        """Boot one machine and wait for the marker (or ``until``).

        :param machine: a :class:`Machine` of this lab.
        :param timeout: seconds.
        :param log_path: where to keep the serial log (default: the work
            directory, ``serial-<name>.log``).
        :param until: a regex of the serial log that ends the boot early
            with a result (e.g. a loader's own config lookup).
        :returns: :class:`~multiarch_lab.qemu.BootResult` with ``dhcp``
            (dnsmasq's replies to this boot) and ``bootfile``.
        :raises BootFailure: also carrying ``dhcp``.
        """
        if self._closed:
            raise RuntimeError('the lab is closed')
        if self.assets is None:
            self.assets = assets_mod.provision()
        dns = self.dnsmasqs[-1] if self.dnsmasqs else None
        since = dns.log_size() if dns else 0
        workdir = tempfile.mkdtemp(prefix='boot-%s-' % machine.name,
                                   dir=self.workdir)
        log = os.path.abspath(log_path or self._path(
            'serial-%s.log' % machine.name))
        cmd = self.exec_argv(qemu.qemu_command(
            self.assets, machine.arch, machine.firmware,
            qemu.tap_netdev(machine.tap), machine.mac, log, workdir,
            http_boot=machine.http_boot, ipv6=machine.ipv6))
        what = '%s (%s %s%s, %s)' % (
            machine.name, machine.arch, machine.firmware,
            ' HTTP' if machine.http_boot else
            ' PXEv6' if machine.ipv6 else '', machine.mac)
        procs = []

        def started(proc):
            procs.append(proc)
            self._track(proc)

        try:
            result = qemu.watch(cmd, log, workdir, timeout, what,
                                until=until, on_start=started,
                                check=boot_checks.silent_loader(
                                    machine, dns, since,
                                    self.http_servers))
        except qemu.BootFailure as exc:
            answers = dns.answers(machine.mac, since) if dns else []
            raise qemu.BootFailure(
                '%s\n--- dnsmasq answered ---\n%s' % (
                    exc, boot_checks.describe(answers)),
                reason=exc.reason, log=exc.log, dhcp=answers) from None
        finally:
            for proc in procs:
                self._untrack(proc)
            shutil.rmtree(workdir, ignore_errors=True)
        result.name = machine.name
        if dns:
            result.dhcp = dns.answers(machine.mac, since)
            acks = [a for a in result.dhcp if a.kind == 'DHCPACK']
            result.bootfile = acks[0].bootfile if acks else None
        return result

    def boot_many(self, machines, parallel=2, **kwargs):
        """Boot machines, ``parallel`` at a time.

        :param kwargs: passed to :meth:`boot` for each.
        :returns: one :class:`BootResult` or :class:`BootFailure` per
            machine, in order (failures are returned, not raised).
        """
        def one(machine):
            try:
                return self.boot(machine, **kwargs)
            except qemu.BootFailure as exc:
                return exc

        with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
            return list(pool.map(one, machines))

    def close(self):
        """Stop every process of the lab (by id) and delete the namespace.

        Deleting the namespace removes its bridge and taps. Safe to call
        twice; also called at interpreter exit.
        """
        if self._closed:
            return
        self._closed = True
        for server in self.http_servers:
            server.stop()
        for server in self.dnsmasqs:
            server.stop()
        with self._lock:
            procs = list(self._procs.values())
            self._procs.clear()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        if self.ns in netns.namespaces():
            netns.kill_namespace(self.ns)
        _labs.discard(self)
        LOG.debug('Lab %(ns)s closed', {'ns': self.ns})
