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

"""QEMU machines (TCG, never KVM) and the watch of their serial console.

A machine is on the lab's network through a tap (``tap_netdev``) or on
QEMU's user-mode network with its own DHCP and TFTP (``slirp_netdev``).
:func:`watch` starts QEMU, polls the serial log for the marker initramfs'
lines and fails at the first pattern that means the boot cannot succeed.
QEMU is killed in every case.
"""

import codecs
import dataclasses
import logging
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time

LOG = logging.getLogger(__name__)

ARCHES = ('x86_64', 'aarch64')
MARKER_RE = re.compile(r'MULTIARCH-MARKER (\S+) ([^\r\n]*)')
CONSOLES_RE = re.compile(r'MULTIARCH-CONSOLES ?([^\r\n]*)\r?\n')
#: Serial output that means the boot cannot succeed any more. A bare
#: "error:" is not here: GRUB under OVMF prints a harmless video error.
FAILURES = (
    ('GRUB prompt', re.compile(r'grub> ')),
    ('GRUB file not found', re.compile(r"error: file `?[^\r\n]*' not found")),
    ('GRUB TFTP file not found', re.compile(r'error: File not found')),
    ('GRUB no kernel', re.compile(r'you need to load the kernel first')),
    ('GRUB unknown command', re.compile(r"can't find command")),
    ('UEFI shell', re.compile(r'UEFI Interactive Shell|Shell> ')),
    # The NBP is missing (TFTP error) or PXE/HTTP boot failed otherwise:
    # firmware would go on to IPv6 and the next method, which take
    # minutes to give up.
    ('UEFI PXE TFTP error', re.compile(r'PXE-E23')),
    ('UEFI PXEv4 failed', re.compile(
        r'failed to (load|start) Boot\w+ "UEFI PXEv4')),
    ('shim could not fetch its loader', re.compile(
        r'Unable to fetch TFTP image')),
    ('UEFI PXEv6 failed', re.compile(
        r'failed to (load|start) Boot\w+ "UEFI PXEv6|PXE-E16')),
    ('UEFI HTTPv4 failed', re.compile(
        r'failed to (load|start) Boot\w+ "UEFI HTTPv4')),
    ('UEFI HTTP boot error', re.compile(
        r'Could not retrieve NBP file size|Error: Server response timeout|'
        r'Error: Could not retrieve NBP')),
    ('UEFI exception', re.compile(r'Synchronous Exception')),
    ('iPXE shell', re.compile(r'iPXE> ')),
    ('iPXE gave up', re.compile(r'No more network devices')),
    ('no boot device', re.compile(r'No bootable device')),
    ('pxelinux prompt', re.compile(r'(^|[\r\n])boot: ')),
    ('pxelinux no kernel', re.compile(r'Could not find kernel image|'
                                      r'Loading \S+\.\.\. failed')),
    ('pxelinux no config', re.compile(r'Unable to locate configuration file')),
    ('pxelinux gave up', re.compile(r'Boot failed: press a key to retry')),
    ('kernel panic', re.compile(r'Kernel panic - not syncing')),
)


class BootFailure(Exception):
    """The machine did not reach the marker (failure pattern or timeout).

    :ivar reason: the failure's name (e.g. ``timeout after 150s``).
    :ivar log: the whole serial log.
    :ivar dhcp: what dnsmasq answered the machine (lab boots only).
    """

    def __init__(self, message, reason=None, log='', dhcp=None):
        super().__init__(message)
        self.reason = reason
        self.log = log
        self.dhcp = dhcp or []


@dataclasses.dataclass
class BootResult:
    """What the marker initramfs reported, and how long it took.

    ``cmdline`` and ``consoles`` are empty when the boot stopped at an
    ``until`` pattern; ``dhcp`` and ``bootfile`` are set by lab boots
    (what dnsmasq answered the machine's MAC, the first option 67).
    """

    arch: str
    cmdline: str
    consoles: list
    elapsed: float
    log: str
    dhcp: list = dataclasses.field(default_factory=list)
    bootfile: str = None
    name: str = None


def _opt(value):
    """Escape a value for a QEMU ``key=value,...`` option."""
    return str(value).replace(',', ',,')


def slirp_netdev(tftp_root, bootfile, host=None):
    """A user-mode network with its own DHCP and TFTP server.

    :param host: the address the guest sees as the host, DHCP and TFTP
        server (QEMU's default ``10.0.2.2``); its /24 becomes the guest
        network, so a tree planned for a lab bridge boots here too.
    """
    netdev = 'user,id=n0,tftp=%s,bootfile=%s' % (
        _opt(os.path.abspath(tftp_root)), _opt(bootfile))
    if host:
        net = host.rsplit('.', 1)[0]
        netdev += ',net=%s.0/24,host=%s,dhcpstart=%s.15' % (net, host, net)
    return netdev


def tap_netdev(tap):
    """A tap that already exists (in the namespace QEMU runs in)."""
    return 'tap,id=n0,ifname=%s,script=no,downscript=no' % tap


def qemu_command(assets, arch, firmware, netdev, mac, log, workdir,
                 http_boot=False, ipv6=False):
    """Build the QEMU command line of one boot.

    :param netdev: the ``-netdev`` value, id ``n0``.
    :param http_boot: disable UEFI PXE (IPv4 and IPv6) so the firmware
        does UEFI HTTP boot.
    :param ipv6: UEFI PXE over IPv6 only (IPv4 PXE off, IPv6 PXE on).
    :returns: argv list; may write firmware files into workdir.
    :raises ValueError: for an unsupported arch/firmware pair.
    """
    if arch not in ARCHES or firmware not in ('bios', 'uefi'):
        raise ValueError('unsupported arch/firmware %s/%s' % (arch, firmware))
    if arch == 'aarch64' and firmware == 'bios':
        raise ValueError('aarch64 has no BIOS mode')
    if (http_boot or ipv6) and firmware != 'uefi':
        raise ValueError('UEFI HTTP boot and IPv6 PXE need UEFI firmware')
    common = ['-m', '1024', '-smp', '1', '-accel', 'tcg', '-nodefaults',
              '-display', 'none', '-monitor', 'none', '-no-reboot',
              '-serial', 'file:%s' % log, '-netdev', netdev]
    if http_boot:
        common += ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n',
                   '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=n']
    elif ipv6:
        common += ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n',
                   '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=y']
    if arch == 'aarch64':
        return [assets.qemu[arch], '-M', 'virt', '-cpu', 'cortex-a57',
                '-bios', assets.aavmf_code] + common + [
                '-device', 'virtio-net-pci,netdev=n0,mac=%s,romfile=' % mac]
    cmd = [assets.qemu[arch], '-M', 'q35'] + common + ['-boot', 'order=n']
    if firmware == 'bios':
        # SeaBIOS "sercon": BIOS, iPXE and pxelinux text goes to COM1.
        sercon = os.path.join(workdir, 'sercon-port')
        with open(sercon, 'wb') as f:
            f.write(struct.pack('<I', 0x3f8))
        # Keep QEMU's default NIC ROM (iPXE): QEMU patches the PCI IDs of
        # the default ROM only, so an explicit romfile= is never run.
        return cmd + ['-fw_cfg', 'name=etc/sercon-port,file=%s' % sercon,
                      '-device', 'virtio-net-pci,netdev=n0,mac=%s' % mac]
    nvram = os.path.join(workdir, 'OVMF_VARS.fd')
    shutil.copyfile(assets.ovmf_vars, nvram)
    return cmd + [
        '-drive', 'if=pflash,format=raw,unit=0,readonly=on,file=%s'
        % _opt(assets.ovmf_code),
        '-drive', 'if=pflash,format=raw,unit=1,file=%s' % _opt(nvram),
        '-device', 'virtio-net-pci,netdev=n0,mac=%s,romfile=' % mac]


def tail(text, lines=40):
    """The last ``lines`` lines of a serial log, without carriage returns."""
    return '\n'.join(text.replace('\r', '').splitlines()[-lines:])


def watch(cmd, log, workdir, timeout, what, until=None, on_start=None,
          check=None):
    """Start QEMU, poll the serial log, always kill QEMU at the end.

    :param cmd: argv (may start with ``ip netns exec NS``).
    :param log: the serial log file QEMU writes (created empty here).
    :param until: a regex; when it matches the log, stop there.
    :param on_start: called with the :class:`subprocess.Popen` (a lab
        tracks its processes to kill them at close).
    :param check: called as ``check(text, elapsed)`` at every poll; a
        returned string is a failure reason.
    :returns: :class:`BootResult`.
    :raises BootFailure: with the elapsed time and the log's tail.
    """
    open(log, 'wb').close()
    until = re.compile(until) if isinstance(until, str) else until
    start = time.monotonic()
    errors = open(os.path.join(workdir, 'qemu.stderr'), 'w+b')
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=errors,
                            start_new_session=True)
    if on_start:
        on_start(proc)
    LOG.debug('Started %(what)s: pid %(pid)s', {'what': what,
                                                 'pid': proc.pid})
    decoder = codecs.getincrementaldecoder('utf-8')('replace')
    text = ''
    try:
        with open(log, 'rb') as serial:
            while True:
                exited = proc.poll() is not None  # before the last read
                text += decoder.decode(serial.read())
                elapsed = time.monotonic() - start
                consoles = CONSOLES_RE.search(text)
                marker = MARKER_RE.search(text)
                if consoles and marker:
                    return BootResult(arch=marker.group(1),
                                      cmdline=marker.group(2).strip(),
                                      consoles=consoles.group(1).split(),
                                      elapsed=round(elapsed, 2), log=text)
                if until is not None and until.search(text):
                    return BootResult(arch=None, cmdline='', consoles=[],
                                      elapsed=round(elapsed, 2), log=text)
                why = next((name for name, pat in FAILURES
                            if pat.search(text)), None)
                if why is None and check is not None:
                    why = check(text, elapsed)
                if why is None and exited:
                    errors.seek(0)
                    why = 'QEMU exited (%s) before the marker%s' % (
                        proc.returncode, ''.join(
                            ': ' + line for line in errors.read().decode(
                                'utf-8', 'replace').splitlines()
                            if 'sercon-port' not in line))
                if why is None and elapsed > timeout:
                    why = 'timeout after %ss' % timeout
                if why:
                    raise BootFailure(
                        '%s failed after %.1fs: %s\n'
                        '--- serial log tail ---\n%s' % (
                            what, elapsed, why, tail(text)),
                        reason=why, log=text)
                time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        errors.close()


def slirp_boot(assets, arch, firmware, tftp_root, bootfile, mac,
               timeout=120, log_path=None, host=None):
    """Netboot one machine on QEMU's user-mode network.

    For tests about a file (a copied and broken tree), not the network:
    QEMU's own DHCP answers ``bootfile`` and its TFTP serves ``tftp_root``.

    :param host: the server address the guest sees (see
        :func:`slirp_netdev`); default QEMU's ``10.0.2.2``.
    :returns: :class:`BootResult`.
    :raises BootFailure: see :func:`watch`.
    """
    workdir = tempfile.mkdtemp(prefix='multiarch-boot-')
    try:
        log = os.path.abspath(log_path or os.path.join(workdir, 'serial.log'))
        cmd = qemu_command(assets, arch, firmware,
                           slirp_netdev(tftp_root, bootfile, host), mac,
                           log, workdir)
        return watch(cmd, log, workdir, timeout,
                     '%s %s boot via %r' % (arch, firmware, bootfile))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
