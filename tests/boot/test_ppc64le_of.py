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

"""ppc64le Open Firmware: SLOF netboots GRUB core.elf from a planned tree.

The tree is what the planner and :func:`ironic_multiarch.tree.write_plan`
write for a ``[multiarch_ppc64le]boot_method = of`` node; QEMU's
user-mode network serves it (option 67 = the planned bootfile).

Debian bookworm's GRUB (grub-ieee1275-bin 2.06-13+deb12u2) cannot find
the card: its backport of "net: Use safe math macros to prevent
overflows" (debian/patches/cve-2025-jan) dropped the ``grub_malloc()`` of
``ofdata->path`` in ``search_net_devices()``
(grub-core/net/drivers/ieee1275/ofnet.c), so ``if (!ofdata->path)``
tests uninitialised memory and the card is skipped without a message.
Upstream fixed it in "ieee1275/ofnet: Fix grub_malloc() removed after
added safe math functions". Set ``IRONIC_MULTIARCH_PPC64LE_GRUB`` to a
``powerpc-ieee1275`` module directory with that fix to boot for real.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time

from oslo_config import cfg
import pytest

from ironic_multiarch import conf as conf_mod
from ironic_multiarch.conf import loading
from ironic_multiarch import plan as plan_mod
from ironic_multiarch.profiles import aarch64
from ironic_multiarch.profiles import ppc64le
from ironic_multiarch.profiles import x86_64
from ironic_multiarch import tree
from tests.boot import assets as assets_mod
from tests.boot import images

pytestmark = pytest.mark.boot

UUID = '0b7e3c52-6f1d-4a8e-9c2b-5d4f3e2a1c90'
MAC = '52:54:00:b0:0c:01'
MODULES = ('net', 'tftp', 'ofnet', 'normal', 'configfile', 'linux', 'echo',
           'test', 'regexp', 'gzio', 'ls', 'halt', 'reboot', 'sleep')
FIXED = os.environ.get('IRONIC_MULTIARCH_PPC64LE_GRUB')
DEBIAN_OFNET = (
    "Debian bookworm's ofnet.mod never registers the card: the "
    "cve-2025-jan backport removed grub_malloc() of ofdata->path in "
    "search_net_devices() (fixed upstream by 'ieee1275/ofnet: Fix "
    "grub_malloc() removed after added safe math functions')")
QEMU = ['qemu-system-ppc64', '-M', 'pseries,cap-cfpc=broken,cap-sbbc=broken,'
        'cap-ibs=broken,cap-ccf-assist=off', '-cpu', 'power9', '-m', '1024',
        '-nodefaults', '-display', 'none', '-monitor', 'none', '-no-reboot',
        '-boot', 'order=n']


def _ppc64el(cache):
    """Download and unpack GRUB modules, busybox and the kernel."""
    out = os.path.join(cache, 'ppc64el')
    done = os.path.join(out, 'done')
    if os.path.exists(done):
        return out
    if 'ppc64el' not in subprocess.run(
            ['dpkg', '--print-foreign-architectures'], text=True,
            stdout=subprocess.PIPE, check=True).stdout.split():
        subprocess.run(['dpkg', '--add-architecture', 'ppc64el'], check=True)
        subprocess.run(['apt-get', '-q', 'update'], check=True)
    meta = subprocess.run(['apt-cache', 'depends',
                           'linux-image-powerpc64le:ppc64el'], text=True,
                          stdout=subprocess.PIPE, check=True).stdout
    kernel = [w for w in meta.split() if w.startswith('linux-image-6')][0]
    debs = tempfile.mkdtemp(dir=cache)
    try:
        subprocess.run(['apt-get', '-q', 'download',
                        'grub-ieee1275-bin:ppc64el',
                        'busybox-static:ppc64el', kernel], cwd=debs,
                       check=True, stdout=subprocess.DEVNULL)
        shutil.rmtree(out, ignore_errors=True)
        for deb in glob.glob(os.path.join(debs, '*.deb')):
            subprocess.run(['dpkg-deb', '-x', deb, out], check=True)
    finally:
        shutil.rmtree(debs, ignore_errors=True)
    image = glob.glob(os.path.join(out, 'boot', 'vmlinux-*'))[0]
    with open(image, 'rb') as src, open(os.path.join(out, 'vmlinux.gz'),
                                        'wb') as dst:
        subprocess.run(['gzip', '-1', '-c'], stdin=src, stdout=dst,
                       check=True)
    open(done, 'w').close()
    return out


def _plan(kernel, ramdisk):
    profiles = {'x86_64': x86_64.X86_64(), 'aarch64': aarch64.AArch64(),
                'ppc64le': ppc64le.Ppc64le()}
    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf, sorted(profiles))
    conf([], project='ironic-multiarch-test', default_config_files=[])
    for name, value in (('deploy_kernel', 'file://' + kernel),
                        ('deploy_ramdisk', 'file://' + ramdisk),
                        ('boot_method', 'of')):
        conf.set_override(name, value, group='multiarch_ppc64le')
    conf.set_override('menu_timeout', 0, group='multiarch')
    settings = loading.build_settings(conf, profiles, tftp_server='10.0.2.2')
    facts = plan_mod.NodeFacts(
        uuid=UUID, cpu_arch='ppc64le', boot_mode='uefi',
        ports=(plan_mod.Port(MAC),),
        extra_kernel_params=('ipa-api-url=http://10.0.2.2:6385',))
    return plan_mod.plan(facts, settings, profiles)


@pytest.mark.xfail(not FIXED, strict=True, reason=DEBIAN_OFNET)
def test_slof_grub_boots_marker(tmp_path):
    if not shutil.which('qemu-system-ppc64'):
        pytest.skip('qemu-system-ppc64 is not installed (qemu-system-ppc)')
    files = _ppc64el(assets_mod.default_cache_dir())
    moddir = FIXED or os.path.join(files, 'usr/lib/grub/powerpc-ieee1275')
    root = str(tmp_path / 'tftp')
    ramdisk = images.build_marker_initramfs(
        type('A', (), {'busybox': {'ppc64le': os.path.join(
            files, 'bin/busybox')}}), 'ppc64le', str(tmp_path / 'marker'))
    plan = _plan(os.path.join(files, 'vmlinux.gz'), ramdisk)
    for path, src in ((plan.kernel_path, os.path.join(files, 'vmlinux.gz')),
                      (plan.ramdisk_path, ramdisk)):
        with open(src, 'rb') as f:
            tree.write_file(root, path, f.read())
    tree.write_plan({'tftp': root, 'http': None}, plan)
    os.makedirs(os.path.dirname(os.path.join(root, plan.bootfile)))
    subprocess.run(['grub-mkimage', '-O', 'powerpc-ieee1275', '-d', moddir,
                    '-o', os.path.join(root, plan.bootfile), '-p',
                    '(tftp)/'] + list(MODULES), check=True)
    log = str(tmp_path / 'serial.log')
    proc = subprocess.Popen(QEMU + [
        '-serial', 'file:' + log, '-netdev',
        'user,id=n0,tftp=%s,bootfile=%s' % (root, plan.bootfile),
        '-device', 'spapr-vlan,netdev=n0,mac=' + MAC],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    text = ''
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            with open(log, 'rb') as f:
                text = f.read().decode('utf-8', 'replace')
            if 'MULTIARCH-CONSOLES' in text or 'grub> ' in text:
                break
    finally:
        proc.kill()
        proc.wait()
    assert 'MULTIARCH-MARKER ppc64le ' in text, text[-2000:]
    line = text.split('MULTIARCH-MARKER ppc64le ', 1)[1].splitlines()[0]
    assert plan.kernel_params.value in line
    assert 'console=hvc0' in line.split()
    assert 'BOOTIF=' + MAC in line
