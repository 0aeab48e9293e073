"""QEMU netboot harness for the boot tests.

Boot an emulated machine (TCG, never KVM) from a TFTP root through QEMU's
user-mode network, which has its own DHCP and TFTP server, and watch its
serial console for the line the marker initramfs prints::

    assets = provision()
    build_grub_efi(assets, 'aarch64', root + '/grubaa64.efi')
    build_marker_initramfs(assets, 'aarch64', root + '/node/deploy_ramdisk')
    result = boot(assets, 'aarch64', 'uefi', root, 'grubaa64.efi',
                  '52:54:00:12:34:56')
    assert 'console=ttyAMA0,115200' in result.cmdline

Paths in the served configs may be server-root absolute (``/<uuid>/...``):
QEMU serves them relative to the TFTP root and follows symlinks.
"""

import codecs
import dataclasses
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time

from .assets import Assets, default_cache_dir, provision  # noqa: F401
from .images import build_grub_efi, build_marker_initramfs  # noqa: F401

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
    # The NBP is missing (TFTP error) or PXEv4 failed otherwise: firmware
    # would go on to IPv6 and HTTP boot, which take minutes to give up.
    ('UEFI PXE TFTP error', re.compile(r'PXE-E23')),
    ('UEFI PXEv4 failed', re.compile(r'failed to load Boot\w+ "UEFI PXEv4')),
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
    """The machine did not reach the marker (failure pattern or timeout)."""


@dataclasses.dataclass
class BootResult:
    """What the marker initramfs reported, and how long it took."""

    arch: str
    cmdline: str
    consoles: list
    elapsed: float
    log: str


def _opt(value):
    """Escape a value for a QEMU ``key=value,...`` option."""
    return str(value).replace(',', ',,')


def qemu_command(assets, arch, firmware, tftp_root, bootfile, mac, log,
                 workdir):
    """Build the QEMU command line of one boot.

    :returns: argv list; may write firmware files into workdir.
    :raises ValueError: for an unsupported arch/firmware pair.
    """
    if arch not in ARCHES or firmware not in ('bios', 'uefi'):
        raise ValueError('unsupported arch/firmware %s/%s' % (arch, firmware))
    if arch == 'aarch64' and firmware == 'bios':
        raise ValueError('aarch64 has no BIOS mode')
    netdev = 'user,id=n0,tftp=%s,bootfile=%s' % (
        _opt(os.path.abspath(tftp_root)), _opt(bootfile))
    common = ['-m', '1024', '-smp', '1', '-accel', 'tcg', '-nodefaults',
              '-display', 'none', '-monitor', 'none', '-no-reboot',
              '-serial', 'file:%s' % log, '-netdev', netdev]
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


def alias_server_path(tftp_root, server_path='/tftpboot'):
    """Make ``<server_path>/x`` resolve to ``x`` inside tftp_root.

    For configs written with the conductor's absolute TFTP paths, e.g.
    ``/tftpboot/<uuid>/deploy_kernel``: adds a ``tftpboot -> .`` link.

    :returns: the link's path.
    """
    link = os.path.join(tftp_root, server_path.strip('/'))
    os.makedirs(os.path.dirname(link), exist_ok=True)
    os.symlink(os.path.relpath(tftp_root, os.path.dirname(link)), link)
    return link


def _tail(text, lines=40):
    return '\n'.join(text.replace('\r', '').splitlines()[-lines:])


def boot(assets, arch, firmware, tftp_root, bootfile, mac, timeout=120,
         log_path=None):
    """Netboot one machine and wait for the marker initramfs.

    :param assets: :class:`Assets` from :func:`provision`.
    :param arch: ``x86_64`` or ``aarch64``.
    :param firmware: ``bios`` (x86_64 only) or ``uefi``.
    :param tftp_root: directory served by QEMU's TFTP server.
    :param bootfile: the DHCP option 67 value, as a node would get it.
    :param mac: the NIC's MAC address, ``52:54:00:12:34:56`` style.
    :param timeout: seconds to wait for the marker.
    :param log_path: where to keep the serial log (default: a temp file).
    :returns: :class:`BootResult`.
    :raises BootFailure: on a failure pattern, an early QEMU exit or a
        timeout; the message has the elapsed time and the log's tail.
    """
    workdir = tempfile.mkdtemp(prefix='multiarch-boot-')
    try:
        log = os.path.abspath(log_path or os.path.join(workdir, 'serial.log'))
        open(log, 'wb').close()
        cmd = qemu_command(assets, arch, firmware, tftp_root, bootfile, mac,
                           log, workdir)
        return _run_and_watch(cmd, log, workdir, timeout,
                              '%s %s boot via %r' % (arch, firmware, bootfile))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run_and_watch(cmd, log, workdir, timeout, what):
    """Start QEMU, poll the serial log, always kill QEMU at the end."""
    start = time.monotonic()
    errors = open(os.path.join(workdir, 'qemu.stderr'), 'w+b')
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=errors,
                            start_new_session=True)
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
                why = next((name for name, pat in FAILURES
                            if pat.search(text)), None)
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
                            what, elapsed, why, _tail(text)))
                time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        errors.close()
