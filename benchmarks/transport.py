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

"""Time to kernel by transport, on the lab's real network.

Usage (root)::

    python -m benchmarks.transport [--ramdisk-mb 120] [--runs 1] [--keep]

Boots the same aarch64 UEFI machine (AAVMF, TCG) with a deploy ramdisk of
``--ramdisk-mb`` (the marker initramfs padded with an incompressible file)
through the lab's real dnsmasq (:mod:`multiarch_lab`), three ways, each
enrolled in a real standalone Ironic and taken to ``clean wait``:

``tftp``
    ``multiarch-pxe``: firmware PXE, GRUB, kernel and ramdisk over TFTP
    (dnsmasq's TFTP server).
``grub-http``
    ``multiarch-pxe`` with ``[multiarch]grub_http_delivery = true``:
    firmware PXE and GRUB over TFTP, kernel and ramdisk over HTTP.
``uefi-http``
    ``multiarch-http``: UEFI HTTP boot (firmware PXE off), GRUB, its
    config, kernel and ramdisk over HTTP.

``[deploy]http_url`` is ``http://<bridge>`` (port 80: GRUB takes the
port of the URL it was booted from for its TFTP server too). Each boot
is captured with ``tcpdump`` on the bridge; the capture gives the start
and end of every TFTP and HTTP transfer, so the time to marker is split
into firmware and DHCP, loader, kernel, ramdisk and what comes after the
last transfer (GRUB starting the kernel, the kernel unpacking the
initramfs, init). Prints one line per boot, then the ratios of the run.
"""

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from multiarch_lab import standalone  # noqa: E402
from multiarch_lab import assets as assets_mod  # noqa: E402
from multiarch_lab import fleet  # noqa: E402
from multiarch_lab import images  # noqa: E402
from multiarch_lab import lab as lab_mod  # noqa: E402

ARCH = 'aarch64'
HTTP_PORT = 80
#: name -> (boot interface, grub_http_delivery, GRUB prefix, MAC)
CASES = collections.OrderedDict([
    ('tftp', ('multiarch-pxe', False, '(tftp)/', '52:54:00:7b:00:01')),
    ('grub-http', ('multiarch-pxe', True, '(tftp)/', '52:54:00:7b:00:02')),
    # UEFI HTTP boot: a network GRUB built as Debian builds its own
    # (prefix /grub on the boot URL's server) reads Ironic's grub.cfg and
    # the node's <mac>.conf over HTTP.
    ('uefi-http', ('multiarch-http', False, None, '52:54:00:7b:00:03')),
])

_TS = r'^(\d+\.\d+) IP (\S+)\.(\d+) > (\S+)\.(\d+): '
_RRQ_RE = re.compile(_TS + r'.*RRQ "([^"]+)"(.*)$')
_UDP_RE = re.compile(_TS + r'UDP, length (\d+)')
_TFTP_DATA_RE = re.compile(_TS + r'TFTP, length (\d+)')
_TCP_RE = re.compile(_TS + r'Flags \[([^\]]*)\].*length (\d+)')
_DHCP_RE = re.compile(_TS + r'BOOTP/DHCP')


class Transfer(object):
    def __init__(self, kind, port, start, name=None, options=''):
        self.kind, self.port, self.start, self.end = kind, port, start, start
        self.name, self.options = name, options.strip()
        self.bytes = 0
        self.packets = 0
        self.sizes = collections.Counter()

    @property
    def seconds(self):
        return self.end - self.start

    def mbps(self):
        return self.bytes / 2**20 / max(self.seconds, 1e-6)


def transfers(pcap, server):
    """TFTP and HTTP transfers of one capture, in start order.

    :returns: ``(first DHCP packet time, [Transfer])``.
    """
    out = subprocess.run(['tcpdump', '-r', pcap, '-tt', '-n'],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    dhcp = None
    tftp = {}   # client port -> Transfer (the latest on that port)
    http = {}
    found = []
    for line in out.splitlines():
        m = _DHCP_RE.match(line)
        if m:
            dhcp = dhcp or float(m.group(1))
            continue
        m = _RRQ_RE.match(line)
        if m:
            t = Transfer('tftp', m.group(3), float(m.group(1)), m.group(6),
                         m.group(7))
            tftp[m.group(3)] = t
            found.append(t)
            continue
        m = _TCP_RE.match(line)
        if m:
            ts, src, sport, dst, dport, flags, length = m.groups()
            client = sport if dst == server else dport
            if dst == server and flags == 'S':
                t = Transfer('http', client, float(ts))
                http[client] = t
                found.append(t)
            t = http.get(client)
            if t:
                t.end = float(ts)
                if src == server:
                    t.bytes += int(length)
            continue
        m = _UDP_RE.match(line) or _TFTP_DATA_RE.match(line)
        if m:
            ts, src, sport, dst, dport, length = m.groups()
            client = dport if src == server else sport
            t = tftp.get(client)
            if t:
                t.end = float(ts)
                if src == server:
                    t.bytes += int(length) - 4   # TFTP DATA header
                    t.packets += 1
                    t.sizes[int(length) - 4] += 1
    return dhcp, found


def split_times(start, dhcp, found, kernel_size, ramdisk_size):
    """The phases of one boot, in seconds from QEMU's start."""
    def biggest(near):
        return min((t for t in found if t.bytes), default=None,
                   key=lambda t: abs(t.bytes - near))

    kernel, ramdisk = biggest(kernel_size), biggest(ramdisk_size)
    last = max(t.end for t in found)
    return {'dhcp': (dhcp or start) - start, 'kernel': kernel,
            'ramdisk': ramdisk, 'ramdisk_start': ramdisk.start - start,
            'last': last - start}


def make_ironic(workdir, lab, assets, built, grub_http, prefix):
    """A standalone Ironic for one case, its GRUB built with ``prefix``."""
    conf = fleet.build_images(assets, os.path.join(workdir, 'boot-images'),
                              arches=(ARCH,))
    group = conf['multiarch_%s' % ARCH]
    for href, name in ((group['deploy_ramdisk'], 'marker.initrd'),):
        os.unlink(href[len('file://'):])
        os.link(built[name], href[len('file://'):])
    grub = group['loader_paths']['grubaa64.efi']
    if prefix is None:
        images.build_grub_efi(assets, ARCH, grub, netboot=True)
    else:
        images.build_grub_efi(assets, ARCH, grub, prefix=prefix)
    conf['multiarch'] = {'enabled_architectures': ARCH, 'menu_timeout': 0,
                         'grub_http_delivery': grub_http}
    return standalone.StandaloneIronic(
        workdir, extra_conf=conf, tftp_server=lab.bridge_ip,
        http_url=lab.http_url(HTTP_PORT),
        boot_interfaces=standalone.BOOT_INTERFACES + ('multiarch-http',))


def run_case(lab, assets, workdir, name, built, runs, out):
    iface, grub_http, prefix, mac = CASES[name]
    prefix = prefix % lab.bridge_ip if prefix and '%s' in prefix else prefix
    ironic = make_ironic(os.path.join(workdir, name), lab, assets, built,
                         grub_http, prefix)
    ironic.start()
    rows = []
    try:
        http = lab.http_server(ironic.http_root, HTTP_PORT)
        dns = lab.dnsmasq(ironic.dnsmasq_hosts_dir, ironic.dnsmasq_opts_dir,
                          ironic.tftp_root,
                          leasefile=ironic.path('dnsmasq', 'leases'))
        node = fleet.enroll(ironic, {name: (ARCH, 'uefi', iface, mac)})[name]
        machine = lab.add_machine(ARCH, 'uefi', mac, name=name,
                                  http_boot=(iface == 'multiarch-http'))
        for run in range(runs):
            open(dns.leasefile, 'w').close()
            pcap = os.path.join(workdir, '%s-%d.pcap' % (name, run))
            dump = subprocess.Popen(
                lab.exec_argv(['tcpdump', '-i', lab.bridge, '-s', '200',
                               '-U', '-n', '-w', pcap, 'ip']),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            time.sleep(1.0)
            start = time.time()
            try:
                result = lab.boot(machine, timeout=600, log_path=os.path.join(
                    workdir, 'serial-%s-%d.log' % (name, run)))
            finally:
                time.sleep(0.5)
                dump.send_signal(signal.SIGTERM)
                dump.wait(10)
            planned = node.plan.kernel_params.value.split()
            assert all(w in result.cmdline.split() for w in planned), (
                name, result.cmdline)
            dhcp, found = transfers(pcap, lab.bridge_ip)
            rows.append((result.elapsed, split_times(
                start, dhcp, found, built['kernel_size'],
                built['ramdisk_size'])))
            out(row(name, result.elapsed, rows[-1][1]))
        http.stop()
        dns.stop()
    finally:
        ironic.stop()
    return rows


def row(name, elapsed, t):
    k, r = t['kernel'], t['ramdisk']
    blk = (' blksize %d' % r.sizes.most_common(1)[0][0]) if r.sizes else ''
    return ('  %-9s %6.1f s to marker | DHCP at %4.1f | kernel %5.1f s '
            '%5.1f MB/s | ramdisk %5.1f s %5.1f MB/s (%s%s) at %5.1f | '
            'last transfer to marker %5.1f s'
            % (name, elapsed, t['dhcp'], k.seconds, k.mbps(), r.seconds,
               r.mbps(), r.kind, blk, t['ramdisk_start'],
               elapsed - t['last']))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--ramdisk-mb', type=int, default=120)
    parser.add_argument('--runs', type=int, default=1)
    parser.add_argument('--cases', default=','.join(CASES))
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory (captures, logs)')
    args = parser.parse_args(argv)
    if not shutil.which('tcpdump'):
        subprocess.run(['apt-get', 'install', '-y',
                        '--no-install-recommends', 'tcpdump'], check=True)
    assets = assets_mod.provision()
    workdir = tempfile.mkdtemp(prefix='multiarch-transport-')

    def out(text):
        print(text, flush=True)

    try:
        built = {'marker.initrd': images.build_marker_initramfs(
            assets, ARCH, os.path.join(workdir, 'marker.initrd'),
            pad_bytes=args.ramdisk_mb << 20)}
        built['ramdisk_size'] = os.path.getsize(built['marker.initrd'])
        built['kernel_size'] = os.path.getsize(assets.kernels[ARCH])
        out('%s UEFI (AAVMF, TCG), kernel %.1f MB, ramdisk %.1f MB, '
            'real dnsmasq %s in a namespace'
            % (ARCH, built['kernel_size'] / 2**20,
               built['ramdisk_size'] / 2**20, 'TFTP/DHCP'))
        best = {}
        with lab_mod.Lab(os.path.join(workdir, 'lab'), assets=assets) as lab:
            for name in args.cases.split(','):
                try:
                    rows = run_case(lab, assets, workdir, name, built,
                                    args.runs, out)
                except lab_mod.qemu.BootFailure as exc:
                    out('  %-9s FAILED: %s' % (name,
                                               str(exc).splitlines()[0]))
                    continue
                best[name] = min(rows, key=lambda r: r[0])
        out('best: ' + ', '.join('%s %.1f s' % (n, r[0])
                                 for n, r in best.items()))
        names = list(best)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                ta, tb = best[a], best[b]
                out('ratio %s/%s: time to marker %.2f, ramdisk transfer '
                    '%.2f' % (a, b, ta[0] / tb[0],
                              ta[1]['ramdisk'].seconds
                              / tb[1]['ramdisk'].seconds))
    finally:
        if args.keep:
            out('kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
