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

"""Builds real ironic-python-agent deploy ramdisks for x86_64 and aarch64.

The root file system is a Debian bookworm ``debootstrap --variant=minbase``
(aarch64 through qemu-user) with ironic-python-agent installed from PyPI
into ``/opt/ipa``; the kernel and its virtio/storage modules come from
Debian's ``linux-image-<abi>`` package and ``/init`` is ``ipa_init.sh``.
Results are cached under ``$IRONIC_MULTIARCH_IPA_CACHE`` (default
``~/.cache/ironic-multiarch/ipa``) as ``<arch>-<key>/{vmlinuz,initramfs,
manifest.json}``, keyed by every input (see :func:`cache_key`); the
debootstrapped root with IPA installed is kept under ``rootfs/`` so that a
new kernel or ``/init`` only repacks. Entries are built in a temporary
directory and renamed into place, under a per-architecture lock.

The agent reads ``ipa-api-url`` and friends from the kernel command line;
``BOOTIF`` (``01-aa-bb-..`` or ``aa:bb:..``) picks the NIC to configure.

The initramfs is a zstd-compressed cpio. Ironic's conductor transparently
decompresses zstd artifacts it caches, so to serve this ramdisk as is set::

    [conductor]
    disable_zstandard_decompression = true

Needs root; installs its Debian tools with apt on first use.
"""

import argparse
import dataclasses
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time

from multiarch_lab import assets
from multiarch_lab import debian_root

LOG = logging.getLogger(__name__)

DEFAULT_IPA_VERSION = '13.0.0'
#: Ironic release series -> the ironic-python-agent release of the same
#: OpenStack release (latest point release of that stable series).
IRONIC_TO_IPA = {'24.1': '9.11.3', '29.0': '10.2.3', '39.0': '13.0.0'}
#: Bump when the build procedure changes in a way the key does not see.
BUILDER_VERSION = 1
SUITE = 'bookworm'
PACKAGES = (
    'python3', 'python3-venv', 'fdisk', 'udev', 'kmod', 'iproute2',
    'busybox', 'qemu-utils', 'gdisk', 'parted', 'dmidecode', 'lshw',
    'efibootmgr', 'util-linux', 'e2fsprogs', 'dosfstools', 'pciutils',
    'hdparm', 'mdadm', 'lvm2', 'xfsprogs', 'procps', 'iputils-ping',
    # fuser (erase_devices_metadata), file and hexdump (image checks)
    'psmisc', 'file', 'bsdextrautils')
MODULES = (
    'virtio_pci', 'virtio_net', 'virtio_blk', 'virtio_scsi', 'sd_mod',
    'virtio_rng', 'efivarfs', 'vfat', 'nls_cp437', 'nls_iso8859_1',
    'nls_ascii', 'nls_utf8', 'ext4', 'dm_mod', 'isofs')
DEB_ARCH = debian_root.DEB_ARCH
DROP = ('usr/share/doc', 'usr/share/man', 'usr/share/locale',
        'usr/share/info', 'var/lib/apt/lists', 'var/cache/apt',
        'root/.cache', 'debootstrap', 'etc/pip.conf', 'etc/ipa-build-ca.crt',
        'etc/resolv.conf')


@dataclasses.dataclass(frozen=True)
class Ramdisk:
    """A built (or cached) deploy kernel and ramdisk."""

    arch: str
    kernel: str
    ramdisk: str
    key: str
    kernel_size: int
    ramdisk_size: int
    build_seconds: float
    cached: bool


def default_cache_dir():
    """:returns: ``$IRONIC_MULTIARCH_IPA_CACHE`` or
        ``~/.cache/ironic-multiarch/ipa``.
    """
    return os.environ.get('IRONIC_MULTIARCH_IPA_CACHE') or os.path.join(
        os.path.expanduser('~'), '.cache', 'ironic-multiarch', 'ipa')


def init_text():
    """:returns: the text of the ramdisk's ``/init``."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'ipa_init.sh')
    with open(path) as f:
        return f.read()


def ipa_version_for_ironic(ironic_version):
    """:returns: the IPA release matching an Ironic version (``39.0.0``).
    :raises KeyError: for an Ironic series not in :data:`IRONIC_TO_IPA`.
    """
    return IRONIC_TO_IPA['.'.join(ironic_version.split('.')[:2])]


def _digest(*parts):
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()
                          ).hexdigest()


def cache_key(arch, ipa_version, packages, kernel_abi, init_text):
    """Key of a ramdisk: sha256 of all its inputs (pure).

    :returns: 64 hex digits.
    """
    return _digest(BUILDER_VERSION, arch, ipa_version, sorted(packages),
                   kernel_abi, hashlib.sha256(init_text.encode()).hexdigest(),
                   MODULES, DROP, SUITE)


def kernel_package(arch):
    """:returns: the versioned kernel package, e.g.
        ``linux-image-6.1.0-41-arm64``.
    """
    deb = DEB_ARCH[arch]
    pkg = assets._kernel_package('linux-image-%s:%s' % (deb, deb))
    return pkg.split(':')[0]


def _rootfs(arch, ipa_version, cache_dir, mirror, log):
    """Debootstrap + IPA venv, cached by arch, packages and IPA version.

    :returns: (path, timings dict).
    """
    key = _digest(BUILDER_VERSION, arch, sorted(PACKAGES), ipa_version, SUITE)
    dest = os.path.join(cache_dir, 'rootfs', '%s-%s' % (arch, key[:16]))
    stamp = os.path.join(dest, 'stage.json')
    if os.path.exists(stamp):
        with open(stamp) as f:
            return os.path.join(dest, 'root'), json.load(f)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = tempfile.mkdtemp(dir=os.path.dirname(dest), prefix='.tmp-')
    root = os.path.join(tmp, 'root')
    timings = {}
    try:
        start = time.monotonic()
        cmd = ['debootstrap', '--variant=minbase', '--arch=' + DEB_ARCH[arch],
               '--include=' + ','.join(PACKAGES)]
        foreign = DEB_ARCH[arch] != DEB_ARCH.get(os.uname().machine)
        log('%s: debootstrap %s (%s)' % (arch, SUITE, mirror))
        debian_root.check(cmd + (['--foreign'] if foreign else [])
                          + [SUITE, root, mirror])
        if foreign:
            debian_root.chroot(root, '/debootstrap/debootstrap',
                               '--second-stage')
        timings['debootstrap'] = round(time.monotonic() - start, 1)
        start = time.monotonic()
        log('%s: pip install ironic-python-agent==%s' % (arch, ipa_version))
        shutil.copy('/etc/resolv.conf', os.path.join(root, 'etc'))
        # pip in the chroot trusts what the host's pip trusts.
        shutil.copy(os.environ.get('PIP_CERT') or
                    '/etc/ssl/certs/ca-certificates.crt',
                    os.path.join(root, 'etc', 'ipa-build-ca.crt'))
        with open(os.path.join(root, 'etc', 'pip.conf'), 'w') as f:
            f.write('[global]\ncert = /etc/ipa-build-ca.crt\n')
        debian_root.chroot(root, 'python3', '-m', 'venv', '/opt/ipa')
        debian_root.chroot(root, '/opt/ipa/bin/pip', 'install', '-q',
                           '--no-cache-dir',
                           'ironic-python-agent==%s' % ipa_version)
        timings['pip'] = round(time.monotonic() - start, 1)
        with open(os.path.join(tmp, 'stage.json'), 'w') as f:
            json.dump(timings, f)
        os.rename(tmp, dest)
    finally:
        if os.path.exists(tmp):
            debian_root.rmtree_unmounted(tmp)
    return os.path.join(dest, 'root'), timings


def _kernel(arch, pkg, abi, workdir, root):
    """Unpack the kernel; copy the modules :data:`MODULES` need into root.

    :returns: path of the kernel image.
    """
    debs = os.path.join(workdir, 'debs')
    tree = os.path.join(workdir, 'kernel')
    os.makedirs(debs)
    assets._apt_get('download', '%s:%s' % (pkg, DEB_ARCH[arch]), cwd=debs)
    assets._unpack(assets._one(os.path.join(debs, pkg + '_*.deb')), tree)
    debian_root.check(['depmod', '-b', tree, abi])
    out = debian_root.check(['modprobe', '-d', tree, '-S', abi,
                             '--show-depends', '-a']
                            + list(MODULES)).stdout
    moddir = os.path.join('lib', 'modules', abi)
    for line in out.splitlines():
        if not line.startswith('insmod '):
            continue
        path = line.split()[1]
        rel = path[path.index(moddir):]
        dest = os.path.join(root, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(os.path.join(tree, rel), dest)
    for name in ('modules.order', 'modules.builtin',
                 'modules.builtin.modinfo'):
        src = os.path.join(tree, moddir, name)
        if os.path.exists(src):
            shutil.copy2(src, os.path.join(root, moddir, name))
    debian_root.check(['depmod', '-b', root, abi])
    return assets._one(os.path.join(tree, 'boot', 'vmlinuz-*'))


def _pack(root, dest):
    debian_root.check(['bash', '-o', 'pipefail', '-c',
                       'find . -xdev | cpio --quiet -o -H newc -R 0:0 '
                       '| zstd -q -T0 -10 > "$1"', 'pack', dest], cwd=root)


def _load(arch, entry, cached):
    with open(os.path.join(entry, 'manifest.json')) as f:
        manifest = json.load(f)
    kernel = os.path.join(entry, 'vmlinuz')
    ramdisk = os.path.join(entry, 'initramfs')
    return Ramdisk(arch=arch, kernel=kernel, ramdisk=ramdisk,
                   key=manifest['key'], kernel_size=os.path.getsize(kernel),
                   ramdisk_size=os.path.getsize(ramdisk),
                   build_seconds=manifest['build_seconds'], cached=cached)


def build(arch, ipa_version=DEFAULT_IPA_VERSION, cache_dir=None, mirror=None,
          log=None):
    """Build (or reuse from the cache) the IPA ramdisk of an architecture.

    :param arch: ``x86_64`` or ``aarch64``.
    :param log: callable taking one progress line, or None.
    :returns: a :class:`Ramdisk`.
    """
    if arch not in DEB_ARCH:
        raise ValueError('unsupported architecture %r' % arch)
    log = log or (lambda msg: LOG.info('%(msg)s', {'msg': msg}))
    cache_dir = cache_dir or default_cache_dir()
    os.makedirs(cache_dir, exist_ok=True)
    debian_root.host_setup(arch)
    pkg = kernel_package(arch)
    abi = pkg[len('linux-image-'):]
    text = init_text()
    key = cache_key(arch, ipa_version, PACKAGES, abi, text)
    entry = os.path.join(cache_dir, '%s-%s' % (arch, key[:16]))
    with open(os.path.join(cache_dir, '.lock-' + arch), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(entry, 'manifest.json')):
            return _load(arch, entry, cached=True)
        start = time.monotonic()
        log('%s: building ramdisk %s (IPA %s, kernel %s)'
            % (arch, key[:16], ipa_version, abi))
        base, timings = _rootfs(arch, ipa_version, cache_dir,
                                mirror or debian_root.host_mirror(), log)
        tmp = tempfile.mkdtemp(dir=cache_dir, prefix='.build-%s-' % arch)
        try:
            root = os.path.join(tmp, 'root')
            t0 = time.monotonic()
            debian_root.check(['cp', '-a', '--reflink=auto', base, root])
            debian_root.check(['rm', '-rf']
                              + [os.path.join(root, r) for r in DROP])
            log('%s: kernel %s and modules' % (arch, pkg))
            kernel = _kernel(arch, pkg, abi, tmp, root)
            shutil.copy2(kernel, os.path.join(tmp, 'vmlinuz'))
            with open(os.path.join(root, 'init'), 'w') as f:
                f.write(text)
            os.chmod(os.path.join(root, 'init'), 0o755)
            timings['kernel'] = round(time.monotonic() - t0, 1)
            t0 = time.monotonic()
            log('%s: packing initramfs (cpio, zstd)' % arch)
            _pack(root, os.path.join(tmp, 'initramfs'))
            timings['pack'] = round(time.monotonic() - t0, 1)
            for name in ('root', 'kernel', 'debs'):
                debian_root.rmtree_unmounted(os.path.join(tmp, name))
            manifest = dict(
                key=key, arch=arch, ipa_version=ipa_version, suite=SUITE,
                kernel_package=pkg, kernel_abi=abi, packages=PACKAGES,
                modules=MODULES, builder_version=BUILDER_VERSION,
                timings=timings, compression='zstd',
                build_seconds=round(time.monotonic() - start, 1),
                **{n + '_size': os.path.getsize(os.path.join(tmp, f))
                   for n, f in (('kernel', 'vmlinuz'),
                                ('ramdisk', 'initramfs'))})
            with open(os.path.join(tmp, 'manifest.json'), 'w') as f:
                json.dump(manifest, f, indent=2, sort_keys=True)
            os.chmod(tmp, 0o755)
            os.rename(tmp, entry)
        finally:
            if os.path.exists(tmp):
                debian_root.rmtree_unmounted(tmp)
        return _load(arch, entry, cached=False)


def build_all(arches=('x86_64', 'aarch64'), **kw):
    """Build (sequentially) or reuse the ramdisks of several arches.

    :returns: dict arch -> :class:`Ramdisk`.
    """
    return {arch: build(arch, **kw) for arch in arches}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write('build-ipa-ramdisk: error: %s\n' % message)
        sys.exit(2)


def main(argv=None):
    """Command line entry point; see ``tools/build-ipa-ramdisk.sh``."""
    parser = _Parser(prog='build-ipa-ramdisk',
                     description='Build IPA deploy ramdisks.')
    parser.add_argument('--arch', default='all',
                        choices=sorted(DEB_ARCH) + ['all'])
    parser.add_argument('--ipa-version', default=DEFAULT_IPA_VERSION)
    parser.add_argument('--cache-dir')
    parser.add_argument('--mirror')
    parser.add_argument('--output')
    args = parser.parse_args(argv)
    if not re.fullmatch(r'[0-9]+(\.[0-9]+)*', args.ipa_version):
        parser.error('bad --ipa-version %r' % args.ipa_version)
    if os.geteuid() != 0:
        parser.error('needs root (debootstrap, chroot, mounts)')
    arches = ('x86_64', 'aarch64') if args.arch == 'all' else (args.arch,)
    result = build_all(arches, ipa_version=args.ipa_version,
                       cache_dir=args.cache_dir, mirror=args.mirror,
                       log=functools.partial(print, flush=True))
    for arch, rd in result.items():
        kernel, ramdisk = rd.kernel, rd.ramdisk
        if args.output:
            os.makedirs(args.output, exist_ok=True)
            kernel = os.path.join(args.output, 'ipa-%s.kernel' % arch)
            ramdisk = os.path.join(args.output, 'ipa-%s.initramfs' % arch)
            shutil.copyfile(rd.kernel, kernel)
            shutil.copyfile(rd.ramdisk, ramdisk)
        print('%s: kernel %s (%d bytes)' % (arch, kernel, rd.kernel_size))
        print('%s: ramdisk %s (%d bytes)' % (arch, ramdisk, rd.ramdisk_size))
        print('%s: built in %.1f s%s' % (arch, rd.build_seconds,
                                          ' (cached)' if rd.cached else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
