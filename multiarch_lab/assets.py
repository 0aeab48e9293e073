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

"""Host packages and foreign-architecture files for the QEMU boots.

:func:`provision` installs the Debian host packages that are missing and
downloads (never installs) the arm64 GRUB, the arm64 static busybox and a
kernel per architecture into a cache directory, unpacked with ``dpkg-deb``.
A manifest makes the second call cost one ``dpkg-query``.
"""

import dataclasses
import fcntl
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

HOST_PACKAGES = (
    'qemu-system-arm', 'qemu-efi-aarch64', 'qemu-system-x86', 'ovmf',
    'seabios', 'ipxe-qemu', 'pxelinux', 'syslinux-common', 'grub-common',
    'grub-efi-amd64-bin', 'busybox-static', 'cpio',
    'ipxe',   # undionly.kpxe / snponly.efi, the plugin's iPXE loaders
    'dnsmasq-base',   # the lab's DHCP/TFTP server (starts no service)
)
#: Bump when the cache layout or its contents change.
MANIFEST_VERSION = 1
LOCK_ERRORS = ('Could not get lock', 'Unable to lock', 'Unable to acquire',
               'is locked by another process')
APT_ENV = dict(os.environ, DEBIAN_FRONTEND='noninteractive')


@dataclasses.dataclass(frozen=True)
class Assets:
    """Paths of everything a boot test needs; built by :func:`provision`.

    Dicts are keyed by canonical architecture (``x86_64``, ``aarch64``).
    """

    cache_dir: str
    aavmf_code: str      # QEMU_EFI.fd, passed with -bios
    ovmf_code: str       # OVMF_CODE_4M.fd (read-only pflash)
    ovmf_vars: str       # OVMF_VARS_4M.fd template (copied per boot)
    grub_modules: dict   # GRUB module dir (arm64-efi / x86_64-efi)
    pxelinux: str        # pxelinux.0
    ldlinux: str         # ldlinux.c32
    ipxe_rom: str        # QEMU's default virtio-net ROM (iPXE), for reference
    kernels: dict
    busybox: dict
    qemu: dict           # emulator binary per architecture


def default_cache_dir():
    """:returns: ``$IRONIC_MULTIARCH_BOOT_CACHE`` or
        ``~/.cache/ironic-multiarch/boot``.
    """
    return os.environ.get('IRONIC_MULTIARCH_BOOT_CACHE') or os.path.join(
        os.path.expanduser('~'), '.cache', 'ironic-multiarch', 'boot')


def _run(cmd, cwd=None, lock_wait=900):
    """Run a (dpkg/apt) command, retrying while another apt holds a lock.

    :returns: the completed process (stdout and stderr as text).
    :raises RuntimeError: when the command fails for another reason.
    """
    deadline = time.monotonic() + lock_wait
    while True:
        proc = subprocess.run(cmd, cwd=cwd, env=APT_ENV, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode == 0:
            return proc
        out = proc.stdout + proc.stderr
        if any(e in out for e in LOCK_ERRORS) and time.monotonic() < deadline:
            time.sleep(5)
            continue
        raise RuntimeError('%s failed (%d):\n%s' % (' '.join(cmd),
                                                    proc.returncode, out))


def _apt_get(*args, cwd=None):
    return _run(['apt-get', '-q', '-o', 'DPkg::Lock::Timeout=900']
                + list(args), cwd=cwd)


def _missing_host_packages():
    proc = subprocess.run(
        ['dpkg-query', '-W', '-f=${Package} ${db:Status-Status}\n']
        + list(HOST_PACKAGES),
        text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    installed = {line.split()[0] for line in proc.stdout.splitlines()
                 if line.endswith(' installed')}
    return [p for p in HOST_PACKAGES if p not in installed]


def _install_host_packages(missing):
    try:
        _apt_get('install', '-y', '--no-install-recommends', *missing)
    except RuntimeError:
        # A package not found usually means stale or absent lists.
        _apt_get('update')
        _apt_get('install', '-y', '--no-install-recommends', *missing)


def _ensure_arm64_lists():
    archs = _run(['dpkg', '--print-foreign-architectures']).stdout.split()
    if 'arm64' not in archs:
        _run(['dpkg', '--add-architecture', 'arm64'])
    probe = subprocess.run(['apt-cache', 'show', 'grub-efi-arm64-bin:arm64'],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        _apt_get('update')


def _kernel_package(meta):
    """:returns: the versioned kernel package a metapackage depends on."""
    out = _run(['apt-cache', 'depends', meta]).stdout
    match = re.search(r'Depends: (linux-image-[^\s<>]+)', out)
    if not match:
        raise RuntimeError('no kernel dependency in: %s' % out)
    return match.group(1)


def _unpack(deb, dest):
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    _run(['dpkg-deb', '-x', deb, dest])


def _one(pattern):
    found = sorted(glob.glob(pattern))
    if not found:
        raise RuntimeError('nothing matches %s' % pattern)
    return found[-1]


def _download_foreign(cache_dir):
    """Download and unpack the arm64 files and both kernels.

    :returns: dict of paths for the manifest.
    """
    _ensure_arm64_lists()
    kernels = {'aarch64': _kernel_package('linux-image-arm64:arm64'),
               'x86_64': _kernel_package('linux-image-amd64:amd64')}
    debs = os.path.join(cache_dir, 'debs')
    os.makedirs(debs, exist_ok=True)
    wanted = ['grub-efi-arm64-bin:arm64', 'busybox-static:arm64']
    wanted += list(kernels.values())
    _apt_get('download', *wanted, cwd=debs)

    def deb(name):
        pkg, _, arch = name.partition(':')
        return _one(os.path.join(debs, '%s_*_%s.deb' % (pkg, arch or '*')))

    grub = os.path.join(cache_dir, 'arm64', 'grub')
    _unpack(deb('grub-efi-arm64-bin:arm64'), grub)
    bbox = os.path.join(cache_dir, 'arm64', 'busybox')
    _unpack(deb('busybox-static:arm64'), bbox)
    paths = {'grub_aarch64': os.path.join(grub, 'usr/lib/grub/arm64-efi'),
             'busybox_aarch64': _one(os.path.join(bbox, '*bin/busybox'))}
    for arch, pkg in kernels.items():
        # The package is mostly modules: keep only the kernel image.
        tmp = tempfile.mkdtemp(dir=cache_dir, prefix='.kernel-')
        try:
            _unpack(deb(pkg), tmp)
            image = _one(os.path.join(tmp, 'boot', 'vmlinuz-*'))
            dest = os.path.join(cache_dir, arch, os.path.basename(image))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.replace(image, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        paths['kernel_' + arch] = dest
    shutil.rmtree(debs, ignore_errors=True)   # ~130 MB, all unpacked now
    return paths


def _assets(cache_dir, paths):
    return Assets(
        cache_dir=cache_dir,
        aavmf_code='/usr/share/qemu-efi-aarch64/QEMU_EFI.fd',
        ovmf_code='/usr/share/OVMF/OVMF_CODE_4M.fd',
        ovmf_vars='/usr/share/OVMF/OVMF_VARS_4M.fd',
        grub_modules={'aarch64': paths['grub_aarch64'],
                      'x86_64': '/usr/lib/grub/x86_64-efi'},
        pxelinux='/usr/lib/PXELINUX/pxelinux.0',
        ldlinux='/usr/lib/syslinux/modules/bios/ldlinux.c32',
        ipxe_rom='/usr/lib/ipxe/qemu/efi-virtio.rom',
        kernels={'aarch64': paths['kernel_aarch64'],
                 'x86_64': paths['kernel_x86_64']},
        busybox={'aarch64': paths['busybox_aarch64'],
                 'x86_64': '/bin/busybox'},
        qemu={'aarch64': shutil.which('qemu-system-aarch64') or
              '/usr/bin/qemu-system-aarch64',
              'x86_64': shutil.which('qemu-system-x86_64') or
              '/usr/bin/qemu-system-x86_64'},
    )


def provision(cache_dir=None):
    """Make sure every host package and cached file is present.

    Idempotent; the second call only checks and reads a manifest.

    :param cache_dir: where foreign files go; default
        :func:`default_cache_dir`.
    :returns: an :class:`Assets`.
    :raises RuntimeError: when a package cannot be installed or fetched.
    """
    cache_dir = os.path.abspath(cache_dir or default_cache_dir())
    os.makedirs(cache_dir, exist_ok=True)
    missing = _missing_host_packages()
    if missing:
        _install_host_packages(missing)
    manifest = os.path.join(cache_dir, 'manifest.json')
    with open(os.path.join(cache_dir, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # one provisioner per cache
        paths = None
        if os.path.exists(manifest):
            with open(manifest) as f:
                data = json.load(f)
            if (data.get('version') == MANIFEST_VERSION and
                    all(os.path.exists(p) for p in data['paths'].values())):
                paths = data['paths']
        if paths is None:
            paths = _download_foreign(cache_dir)
            tmp = manifest + '.tmp'
            with open(tmp, 'w') as f:
                json.dump({'version': MANIFEST_VERSION, 'paths': paths}, f,
                          indent=1)
            os.replace(tmp, manifest)
    assets = _assets(cache_dir, paths)
    for path in (assets.aavmf_code, assets.ovmf_code, assets.ovmf_vars,
                 assets.pxelinux, assets.ldlinux, assets.ipxe_rom):
        if not os.path.exists(path):
            raise RuntimeError('expected host file missing: %s' % path)
    return assets


def shim_efi(assets, arch='aarch64'):
    """Debian's unsigned shim for ``arch``, downloaded once into the cache.

    Shim loads ``grub<arch>.efi`` from its own directory on the TFTP
    server; with Secure Boot off (as in the emulated firmware) it runs it
    unverified.

    :param assets: :class:`Assets` (its cache directory is used).
    :returns: the path of ``shimaa64.efi``.
    """
    if arch != 'aarch64':
        raise ValueError('only the aarch64 shim is provided')
    dest = os.path.join(assets.cache_dir, 'arm64', 'shim', 'shimaa64.efi')
    if os.path.exists(dest):
        return dest
    with open(os.path.join(assets.cache_dir, '.lock'), 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(dest):
            return dest
        tmp = tempfile.mkdtemp(dir=assets.cache_dir, prefix='.shim-')
        try:
            _ensure_arm64_lists()
            _apt_get('download', 'shim-unsigned:arm64', cwd=tmp)
            _unpack(_one(os.path.join(tmp, 'shim-unsigned_*_arm64.deb')),
                    os.path.join(tmp, 'x'))
            found = _one(os.path.join(tmp, 'x', 'usr', 'lib', 'shim',
                                      'shimaa64.efi'))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.replace(found, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
