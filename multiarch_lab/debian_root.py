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

"""A Debian root for a ramdisk: the host's tools, its mirror and chroot.

Needs root: it installs Debian packages with apt, mounts ``/proc``,
``/sys`` and ``/dev`` into the root and registers qemu-user for a foreign
architecture's binaries.
"""

import glob
import os
import re
import shutil
import subprocess

from multiarch_lab import assets

DEFAULT_MIRROR = 'http://deb.debian.org/debian'
DEB_ARCH = {'x86_64': 'amd64', 'aarch64': 'arm64'}
HOST_TOOLS = ('debootstrap', 'qemu-user-static', 'binfmt-support', 'zstd',
              'cpio', 'kmod')


def host_mirror():
    """:returns: the Debian mirror of the host's apt sources."""
    text = ''
    for path in ['/etc/apt/sources.list'] + sorted(
            glob.glob('/etc/apt/sources.list.d/*')):
        if os.path.isfile(path):
            with open(path) as f:
                text += f.read() + '\n'
    for url in re.findall(r'(?:URIs:|^deb)\s+(?:\[[^]]*\]\s+)?(\S+)',
                          text, re.M):
        if url.rstrip('/').endswith('/debian'):
            return url
    return DEFAULT_MIRROR


def host_setup(arch):
    """Install the build tools; for aarch64, arm64 lists and binfmt.

    :param arch: the architecture the root is built for.
    """
    missing = [p for p in HOST_TOOLS if subprocess.run(
        ['dpkg-query', '-W', '-f=${db:Status-Status}', p], text=True,
        capture_output=True).stdout != 'installed']
    if missing:
        assets._install_host_packages(missing)
    if arch == 'aarch64':
        assets._ensure_arm64_lists()
        if not os.path.exists('/proc/sys/fs/binfmt_misc/register'):
            assets._run(['mount', '-t', 'binfmt_misc', 'binfmt_misc',
                         '/proc/sys/fs/binfmt_misc'])
        if not os.path.exists('/proc/sys/fs/binfmt_misc/qemu-aarch64'):
            assets._run(['update-binfmts', '--enable', 'qemu-aarch64'])


def rmtree_unmounted(path):
    """Remove a tree, unless something is still mounted in it."""
    real = os.path.realpath(path)
    with open('/proc/mounts') as f:
        if any(p == real or p.startswith(real + '/')
               for p in (line.split()[1] for line in f)):
            raise RuntimeError('refusing to remove %s: mounted' % path)
    shutil.rmtree(path, ignore_errors=True)


def chroot(root, *cmd):
    """Run a command in ``root`` with /proc, /sys and /dev mounted."""
    mounted = []
    try:
        for src, dest, opts in (('proc', 'proc', ['-t', 'proc']),
                                ('sysfs', 'sys', ['-t', 'sysfs']),
                                ('/dev', 'dev', ['--bind'])):
            target = os.path.join(root, dest)
            os.makedirs(target, exist_ok=True)
            subprocess.run(['mount'] + opts + [src, target], check=True)
            mounted.append(target)
        env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'HOME': '/root',
               'LANG': 'C.UTF-8', 'DEBIAN_FRONTEND': 'noninteractive'}
        return check(['chroot', root] + list(cmd), env)
    finally:
        for target in reversed(mounted):
            subprocess.run(['umount', '-l', target],
                           stderr=subprocess.DEVNULL)


def check(cmd, env=None, **kw):
    """Run ``cmd``; its output, or an error carrying the output's tail.

    :returns: the completed process.
    :raises RuntimeError: if it exits non-zero.
    """
    proc = subprocess.run(cmd, env=env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, **kw)
    if proc.returncode:
        raise RuntimeError('%s failed (%d):\n%s' % (
            ' '.join(cmd), proc.returncode, proc.stdout[-4000:]))
    return proc
