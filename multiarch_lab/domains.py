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

"""The BMC lab's machines: libvirt domain XML, domains and host programs.

:func:`domain_xml` is a pure function: it only builds text. The machines
are TCG guests (``<domain type='qemu'>``) whose only NIC sits on the lab's
bridge, with the serial console appended to a file across power cycles.
:func:`provision_bmc` installs what :class:`multiarch_lab.bmc.Bmc` runs.
"""

import dataclasses
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

from multiarch_lab import assets as assets_mod

LOG = logging.getLogger(__name__)

APT_PACKAGES = (
    'libvirt-daemon-system', 'libvirt-clients', 'libvirt-daemon-driver-qemu',
    'qemu-system-arm', 'qemu-system-x86', 'qemu-efi-aarch64', 'ovmf',
    'seabios', 'python3-libvirt', 'qemu-utils', 'ipxe-qemu', 'ipmitool')
PIP_PACKAGES = ('sushy-tools==2.2.0', 'virtualbmc==3.3.0')
#: Per-architecture machine, CPU and UEFI firmware (pflash code, variables).
ARCH_DEFAULTS = {
    'x86_64': {'machine': 'q35', 'cpu': None,
               'loader': '/usr/share/OVMF/OVMF_CODE_4M.fd',
               'vars': '/usr/share/OVMF/OVMF_VARS_4M.fd'},
    'aarch64': {'machine': 'virt', 'cpu': 'cortex-a57',
                'loader': '/usr/share/AAVMF/AAVMF_CODE.fd',
                'vars': '/usr/share/AAVMF/AAVMF_VARS.fd'},
}
#: Marks the lab's domains, so a later lab can remove stale ones.
DESCRIPTION = 'ironic-multiarch lab machine'
#: A unix socket address holds 108 bytes, the terminating NUL included.
SOCKET_PATH_MAX = 108
#: The directory of a console socket whose work directory is too deep.
CONSOLE_DIR_PREFIX = 'malab-console-'
#: fw_cfg entries that switch PXE off in OVMF/AAVMF (UEFI HTTP boot only).
HTTP_BOOT_FW_CFG = (('opt/org.tianocore/IPv4PXESupport', 'n'),
                    ('opt/org.tianocore/IPv6PXESupport', 'n'))


@dataclasses.dataclass
class Domain:
    """A libvirt domain of the lab.

    :ivar nvram: the per-domain UEFI variable store (``None`` for BIOS).
    :ivar console_socket: a unix socket on its serial console (input and
        output; ``serial_log`` keeps the output), or ``None`` (output to
        ``serial_log`` only).
    :ivar ipmi_port: its VirtualBMC port once :meth:`Bmc.add_ipmi` ran.
    """

    name: str
    uuid: str
    arch: str
    firmware: str
    mac: str
    serial_log: str
    disk: str
    http_boot: bool = False
    nvram: str = None
    memory_mib: int = 1024
    ipmi_port: int = None
    console_socket: str = None


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def validate(arch, firmware, http_boot=False):
    """:raises ValueError: for a machine the lab cannot build."""
    if arch not in ARCH_DEFAULTS:
        raise ValueError('unsupported architecture %r' % arch)
    if firmware not in ('uefi', 'bios'):
        raise ValueError('unsupported firmware %r' % firmware)
    if firmware == 'bios' and arch != 'x86_64':
        raise ValueError('BIOS firmware exists only for x86_64')
    if http_boot and firmware != 'uefi':
        raise ValueError('UEFI HTTP boot needs UEFI firmware')


def domain_xml(domain, bridge='br0', loader=None, nvram_template=None,
               boot=('network', 'hd')):
    """Build the libvirt XML of a lab machine.

    :param domain: a :class:`Domain` (name, uuid, arch, firmware, mac,
        disk, serial_log, nvram, http_boot, memory_mib).
    :param bridge: the bridge its NIC joins.
    :param loader: the UEFI code (pflash); default per architecture.
    :param nvram_template: the UEFI variables template; default per
        architecture.
    :param boot: boot devices in order (``<os><boot dev=...>``).
    :returns: the XML as text.
    :raises ValueError: for an unsupported machine.
    """
    validate(domain.arch, domain.firmware, domain.http_boot)
    arch = ARCH_DEFAULTS[domain.arch]
    root = ET.Element('domain', type='qemu')
    _sub(root, 'name', domain.name)
    _sub(root, 'uuid', domain.uuid)
    _sub(root, 'memory', str(domain.memory_mib), unit='MiB')
    _sub(root, 'vcpu', '1')
    _sub(root, 'description', DESCRIPTION)
    if domain.http_boot:
        sysinfo = _sub(root, 'sysinfo', type='fwcfg')
        for name, value in HTTP_BOOT_FW_CFG:
            _sub(sysinfo, 'entry', value, name=name)
    os_el = _sub(root, 'os')
    _sub(os_el, 'type', 'hvm', arch=domain.arch, machine=arch['machine'])
    if domain.firmware == 'uefi':
        _sub(os_el, 'loader', loader or arch['loader'], readonly='yes',
             type='pflash')
        _sub(os_el, 'nvram', domain.nvram,
             template=nvram_template or arch['vars'])
    for dev in boot:
        _sub(os_el, 'boot', dev=dev)
    features = _sub(root, 'features')
    _sub(features, 'acpi')
    if domain.arch == 'x86_64':
        _sub(features, 'apic')
        _sub(features, 'smm', state='off')
    else:
        _sub(features, 'gic', version='3')
        cpu = _sub(root, 'cpu', mode='custom', match='exact')
        _sub(cpu, 'model', arch['cpu'], fallback='forbid')
    _sub(root, 'on_poweroff', 'destroy')
    _sub(root, 'on_reboot', 'restart')
    _sub(root, 'on_crash', 'destroy')
    devices = _sub(root, 'devices')
    disk = _sub(devices, 'disk', type='file', device='disk')
    _sub(disk, 'driver', name='qemu', type='qcow2')
    _sub(disk, 'source', file=domain.disk)
    _sub(disk, 'target', dev='vda', bus='virtio')
    if domain.arch == 'aarch64':
        _sub(devices, 'controller', type='scsi', model='virtio-scsi')
    nic = _sub(devices, 'interface', type='bridge')
    _sub(nic, 'source', bridge=bridge)
    _sub(nic, 'mac', address=domain.mac)
    _sub(nic, 'model', type='virtio')
    rng = _sub(devices, 'rng', model='virtio')
    _sub(rng, 'backend', '/dev/urandom', model='random')
    # ttyS0 (x86_64) or the PL011 ttyAMA0 (aarch64): everything it prints
    # is appended to one file; with a socket, it also takes input.
    for tag, target in (('serial', {}), ('console', {'type': 'serial'})):
        if domain.console_socket:
            device = _sub(devices, tag, type='unix')
            _sub(device, 'source', mode='bind', path=domain.console_socket)
            _sub(device, 'log', file=domain.serial_log, append='on')
        else:
            device = _sub(devices, tag, type='file')
            _sub(device, 'source', path=domain.serial_log, append='on')
        _sub(device, 'target', port='0', **target)
    _sub(devices, 'memballoon', model='none')
    # QEMU runs as root: the work directory may sit under a private /tmp.
    label = _sub(root, 'seclabel', type='static', model='dac',
                 relabel='no')
    _sub(label, 'label', '+0:+0')
    return ET.tostring(root, encoding='unicode')


@dataclasses.dataclass(frozen=True)
class BmcTools:
    """Paths of the BMC programs; built by :func:`provision_bmc`."""

    venv: str
    sushy_emulator: str
    vbmcd: str
    vbmc: str
    ipmitool: str
    virsh: str = '/usr/bin/virsh'
    libvirtd: str = '/usr/sbin/libvirtd'
    virtlogd: str = '/usr/sbin/virtlogd'


def _missing(packages):
    out = subprocess.run(
        ['dpkg-query', '-W', '-f=${Package} ${db:Status-Status}\n']
        + list(packages), text=True, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL).stdout
    done = {line.split()[0] for line in out.splitlines()
            if line.endswith(' installed')}
    return [p for p in packages if p not in done]


def provision_bmc(cache_dir=None):
    """Install the BMC stack's packages and its virtualenv (idempotent).

    :param cache_dir: where the ``bmc-venv`` virtualenv goes; default the
        parent of :func:`multiarch_lab.assets.default_cache_dir`
        (``~/.cache/ironic-multiarch``).
    :returns: :class:`BmcTools`.
    :raises RuntimeError: when a package cannot be installed.
    """
    missing = _missing(APT_PACKAGES)
    if missing:
        try:
            assets_mod._apt_get('install', '-y', '--no-install-recommends',
                                *missing)
        except RuntimeError:
            assets_mod._apt_get('update')
            assets_mod._apt_get('install', '-y', '--no-install-recommends',
                                *missing)
    cache_dir = os.path.abspath(cache_dir or os.path.dirname(
        assets_mod.default_cache_dir()))
    venv = os.path.join(cache_dir, 'bmc-venv')
    marker = os.path.join(venv, '.ironic-multiarch')
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(cache_dir, '.bmc-lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wanted = '\n'.join(PIP_PACKAGES)
        current = open(marker).read() if os.path.exists(marker) else None
        if current != wanted:
            LOG.info('Creating the BMC virtualenv %(v)s', {'v': venv})
            shutil.rmtree(venv, ignore_errors=True)
            # Debian's python3-libvirt only exists for Debian's python.
            subprocess.run(['/usr/bin/python3', '-m', 'venv',
                            '--system-site-packages', venv], check=True)
            subprocess.run([os.path.join(venv, 'bin', 'pip'), 'install',
                            '-q'] + list(PIP_PACKAGES), check=True)
            with open(marker, 'w') as f:
                f.write(wanted)
    tools = BmcTools(
        venv=venv,
        sushy_emulator=os.path.join(venv, 'bin', 'sushy-emulator'),
        vbmcd=os.path.join(venv, 'bin', 'vbmcd'),
        vbmc=os.path.join(venv, 'bin', 'vbmc'),
        ipmitool=shutil.which('ipmitool') or '/usr/bin/ipmitool')
    for path in (tools.sushy_emulator, tools.vbmcd, tools.vbmc,
                 tools.ipmitool, tools.virsh, tools.libvirtd):
        if not os.path.exists(path):
            raise RuntimeError('expected BMC program missing: %s' % path)
    return tools


def console_socket_path(workdir, name):
    """Where a domain's serial console listens (a unix socket).

    In the work directory, unless that path is too long for a socket
    address; then in a directory of its own under the system's temporary
    directory.
    """
    path = os.path.join(workdir, name + '.console')
    if len(path.encode()) < SOCKET_PATH_MAX:
        return path
    return os.path.join(tempfile.mkdtemp(prefix=CONSOLE_DIR_PREFIX),
                        name + '.console')


def create_domain(virsh, workdir, name, arch, mac, firmware, http_boot,
                  memory_mib, disk_gib, bridge, uuid, assets=None):
    """Create a domain's disk and NVRAM, write its XML and define it.

    The NVRAM is named ``<name>.nosecboot.fd`` and made from the
    architecture's template here: sushy-tools, asked for UEFI, rewrites
    the NVRAM to that name with one template for every architecture
    (x86's), which libvirt only copies when the file is missing.

    :param virsh: a callable running ``virsh`` with its arguments.
    :param assets: :class:`multiarch_lab.Assets` for the x86_64 OVMF.
    :returns: :class:`Domain`.
    """
    validate(arch, firmware, http_boot)
    path = os.path.join(workdir, name)
    domain = Domain(name, uuid, arch, firmware, mac,
                    serial_log=path + '-serial.log', disk=path + '.qcow2',
                    http_boot=http_boot, memory_mib=memory_mib,
                    console_socket=console_socket_path(workdir, name))
    loader = template = None
    if firmware == 'uefi':
        loader = ARCH_DEFAULTS[arch]['loader']
        template = ARCH_DEFAULTS[arch]['vars']
        if arch == 'x86_64' and assets is not None:
            loader, template = assets.ovmf_code, assets.ovmf_vars
        domain.nvram = path + '.nosecboot.fd'
        shutil.copyfile(template, domain.nvram)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', domain.disk,
                    '%dG' % disk_gib], check=True)
    open(domain.serial_log, 'a').close()
    xml_path = path + '.xml'
    with open(xml_path, 'w') as f:
        f.write(domain_xml(domain, bridge, loader, template))
    virsh('define', xml_path)
    return domain


def remove_domain(virsh, domain):
    """Destroy (if running) and undefine ``domain`` with its NVRAM."""
    if power_state(virsh, domain.name) == 'on':
        virsh('destroy', domain.name, check=False)
    virsh('undefine', domain.name, '--nvram', check=False)
    if domain.console_socket:
        own = os.path.dirname(domain.console_socket)
        if os.path.basename(own).startswith(CONSOLE_DIR_PREFIX):
            shutil.rmtree(own, ignore_errors=True)


def power_state(virsh, name):
    """:returns: ``'on'`` or ``'off'`` (``virsh domstate``)."""
    state = virsh('domstate', name).strip()
    return 'off' if state in ('shut off', 'crashed') else 'on'


def alive(pid):
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split(') ', 1)[1][0] != 'Z'
    except (OSError, IndexError):
        return False


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_pid(pid, timeout=15, group=False):
    """SIGTERM a process (or its group), SIGKILL it after ``timeout``."""
    if not pid:
        return
    kill = os.killpg if group else os.kill
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        try:
            kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return
            time.sleep(0.2)


def wait(what, probe, timeout, interval=0.5):
    """Call ``probe`` until it returns something true.

    :raises RuntimeError: after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise RuntimeError('%s did not happen in %ds' % (what, timeout))
        time.sleep(interval)
