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

"""dnsmasq in the lab: its configuration, process and what it answered.

The configuration is the one measured to boot every emulated firmware
quickly: ``no-ping`` (else the first offer waits 3 s), router
advertisements for the ULA (else iPXE waits ~13 s for IPv6) and iPXE's
``no-pxedhcp`` (else it waits 3 s for a ProxyDHCP). With ``log-dhcp``
dnsmasq logs every option it sends, which :meth:`Dnsmasq.answers` reads
back per MAC: the test of "each machine gets exactly what Ironic's DHCP
answered" is made on what dnsmasq sent, not on what a file says.
"""

import dataclasses
import os
import re
import signal
import subprocess
import time

_LINE_RE = re.compile(r'dnsmasq-dhcp(?:\[\d+\])?: (\d+) (.*)$')
_REPLY_RE = re.compile(r'(DHCPOFFER|DHCPACK)\(\S+\) (\S+) ([0-9a-f:]{17})')
_SENT_RE = re.compile(r'sent size: *\d+ option: *(\d+) (?:\S+ )? *(.*)$')
_TFTP_RE = re.compile(r'dnsmasq-tftp(?:\[\d+\])?: (?:(sent) (\S+) to (\S+)|'
                      r'(file) (\S+) not found(?: for (\S+))?|'
                      r'(error) \d+ (.*) received from (\S+))')


@dataclasses.dataclass
class DhcpAnswer:
    """One DHCPOFFER or DHCPACK as dnsmasq logged it.

    :ivar kind: ``DHCPOFFER`` or ``DHCPACK``.
    :ivar options: ``{code: [value, ...]}``; a list, because a broken
        configuration can send an option twice.
    :ivar bootfile_name: the BOOTP header's file field (``dhcp-boot``).
    """

    xid: str
    kind: str
    ip: str
    mac: str
    tags: list
    options: dict
    bootfile_name: str = None
    next_server: str = None

    @property
    def bootfile(self):
        """Option 67 as a client reads it (the first one), else the header.
        """
        values = self.options.get(67)
        return values[0] if values else self.bootfile_name


def render_config(interface, bridge_ip, ula, tftp_root, hostsdir, optsdir,
                  leasefile, log_path, pid_path, extra_conf=(), dhcpv6=False):
    """:returns: the dnsmasq configuration text of the lab.

    :param dhcpv6: a stateful DHCPv6 range on the ULA (``<ula>100`` to
        ``<ula>1ff``) instead of router advertisements only.
    """
    net = bridge_ip.rsplit('.', 1)[0]
    lines = [
        'port=0',
        'interface=%s' % interface,
        'bind-interfaces',
        'user=root',
        'dhcp-range=%s.100,%s.199,255.255.255.0,10m' % (net, net),
        ('dhcp-range=%s100,%s1ff,64,10m' % (ula, ula) if dhcpv6
         else 'dhcp-range=%s,ra-only' % ula),
        'enable-ra',
        'dhcp-leasefile=%s' % leasefile,
        'dhcp-hostsdir=%s' % hostsdir,
        'dhcp-optsdir=%s' % optsdir,
        'dhcp-match=set:ipxe,175',
        # Ironic's tag:httpclient lines need this (UEFI HTTP boot).
        'dhcp-vendorclass=set:httpclient,HTTPClient',
        # iPXE no-pxedhcp: skips a 3 s ProxyDHCP wait.
        'dhcp-option=tag:ipxe,encap:175,176,1b',
        'no-ping',
        'enable-tftp',
        'tftp-root=%s' % tftp_root,
        'log-dhcp',
        'log-facility=%s' % log_path,
        'pid-file=%s' % pid_path,
    ]
    return '\n'.join(lines + list(extra_conf)) + '\n'


class Dnsmasq(object):
    """A dnsmasq process of the lab (see :meth:`Lab.dnsmasq`).

    :ivar conf_path: its configuration file.
    :ivar log_path: its log (DHCP transactions, TFTP transfers).
    :ivar leasefile: its lease file.
    :ivar process: the :class:`subprocess.Popen`.
    """

    def __init__(self, conf_path, log_path, leasefile, process):
        self.conf_path = conf_path
        self.log_path = log_path
        self.leasefile = leasefile
        self.process = process

    def _lines(self, since=0):
        try:
            with open(self.log_path, 'rb') as log:
                log.seek(since)
                return log.read().decode('utf-8', 'replace').splitlines()
        except OSError:
            return []

    def log_size(self):
        """:returns: the log's size now (an offset for ``since``)."""
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def answers(self, mac=None, since=0):
        """What dnsmasq sent, per reply, in log order.

        :param mac: only replies to this MAC (any case).
        :param since: a :meth:`log_size` offset to start at.
        :returns: ``[DhcpAnswer]``.
        """
        by_xid = {}
        order = []
        for line in self._lines(since):
            match = _LINE_RE.search(line)
            if not match:
                continue
            xid, text = match.groups()
            reply = _REPLY_RE.match(text)
            if reply:
                answer = DhcpAnswer(xid, reply.group(1), reply.group(2),
                                    reply.group(3), [], {})
                pending = by_xid.get(xid)
                if pending is not None and not pending.kind:
                    answer.tags = pending.tags
                by_xid[xid] = answer
                order.append(answer)
                continue
            current = by_xid.get(xid)
            if text.startswith('tags: '):
                tags = [t.strip() for t in text[6:].split(',')]
                if current is None or current.kind:
                    by_xid[xid] = DhcpAnswer(xid, '', '', '', tags, {})
                else:
                    current.tags = tags
                continue
            if current is None or not current.kind:
                continue
            if text.startswith('bootfile name: '):
                current.bootfile_name = text.split(': ', 1)[1].strip()
            elif text.startswith('next server: '):
                current.next_server = text.split(': ', 1)[1].strip()
            else:
                sent = _SENT_RE.match(text)
                if sent:
                    current.options.setdefault(int(sent.group(1)), []).append(
                        sent.group(2).strip())
        mac = mac.lower() if mac else None
        return [a for a in order if mac is None or a.mac == mac]

    def tftp_log(self, ip=None, since=0):
        """TFTP transfers and misses, in log order.

        :param ip: only those of this client address.
        :returns: ``[(event, path)]``, event ``sent``, ``not found`` or
            ``error`` (the client's error message as path).
        """
        events = []
        for line in self._lines(since):
            match = _TFTP_RE.search(line)
            if not match:
                continue
            g = match.groups()
            if g[0]:
                event = ('sent', g[1], g[2])
            elif g[3]:
                event = ('not found', g[4], g[5])
            else:
                event = ('error', g[7], g[8])
            if ip is None or event[2] in (None, ip):
                events.append(event[:2])
        return events

    def stop(self):
        """Stop dnsmasq (by its process id); safe to call twice."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def wait_ready(self, timeout=10, since=0):
        """Wait until dnsmasq logs that DHCP and TFTP are up.

        :param since: a :meth:`log_size` offset: look after it only.

        :raises RuntimeError: with its log, if it exited or timed out.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            text = '\n'.join(self._lines(since))
            if 'TFTP root is' in text and 'DHCP, IP range' in text:
                return self
            time.sleep(0.05)
        raise RuntimeError('dnsmasq did not start (status %s):\n%s' % (
            self.process.poll(), '\n'.join(self._lines()[-20:])))


_OPT_RE = re.compile(r'^((?:tag:[^,]+,)*)(?:option:)?(\d+),(.*)$')
#: Options whose value names a file a client fetches.
FILE_OPTIONS = (67, 209)


def advertised(optsdir):
    """The files Ironic's option files advertise.

    :param optsdir: a ``dhcp-optsdir``.
    :returns: ``[(file name, tags, option, value)]`` for options 67 and
        209, in file order.
    """
    found = []
    for name in sorted(os.listdir(optsdir)):
        with open(os.path.join(optsdir, name)) as f:
            for line in f.read().splitlines():
                match = _OPT_RE.match(line.strip())
                if match and int(match.group(2)) in FILE_OPTIONS:
                    tags = [t for t in match.group(1).split(',') if t]
                    found.append((name, tags, int(match.group(2)),
                                  match.group(3)))
    return found


def unserved(optsdir, tftp_root, http_servers, server_ip):
    """Advertised files that no server of the lab would deliver.

    A TFTP name (relative, ``/``-absolute or ``tftp://<server_ip>/...``)
    must exist under ``tftp_root``; an ``http://`` URL must name the
    address and port of a running server of ``http_servers`` and exist
    under its root.

    :returns: ``[(file name, option, value, reason)]``; empty when
        everything advertised is served.
    """
    from urllib import parse

    problems = []
    servers = {(server_ip, s.port): s for s in http_servers
               if s.process.poll() is None}
    for name, _tags, option, value in advertised(optsdir):
        url = parse.urlsplit(value)
        if url.scheme in ('http', 'https'):
            port = url.port or (443 if url.scheme == 'https' else 80)
            server = servers.get((url.hostname, port))
            if server is None:
                problems.append((name, option, value,
                                 'no HTTP server on %s:%s' % (url.hostname,
                                                              port)))
                continue
            root, path = server.root, url.path
        elif url.scheme in ('tftp', ''):
            if url.scheme == 'tftp' and url.hostname != server_ip:
                problems.append((name, option, value,
                                 'TFTP server %s is not the lab\'s %s'
                                 % (url.hostname, server_ip)))
                continue
            root, path = tftp_root, url.path if url.scheme else value
        else:
            problems.append((name, option, value, 'unknown scheme'))
            continue
        local = os.path.join(root, path.lstrip('/'))
        if path.startswith(root.rstrip('/') + '/'):
            local = path   # dnsmasq accepts absolute names under its root
        if not os.path.isfile(local):
            problems.append((name, option, value, 'not found: %s' % local))
    return problems
