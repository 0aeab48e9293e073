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

"""GRUB over TFTP vs over HTTP: time to the deploy ramdisk, under QEMU.

Usage::

    python benchmarks/grub_http.py [--arch aarch64|x86_64] [--ramdisk-mb 120]
                                   [--runs 1]

Plans the same UEFI node twice with the real planner, once as configured
by default (GRUB loads kernel and ramdisk over TFTP) and once with
``[multiarch]grub_http_delivery = true`` (GRUB loads them from
``[deploy]http_url``), writes each plan with
:func:`ironic_multiarch.tree.write_plan` (so GRUB reads exactly the config
the plugin renders), serves the HTTP root with a threaded HTTP server on
127.0.0.1 (``10.0.2.2:<port>`` from the guest), netboots a QEMU machine
(TCG) and prints the time from QEMU's start to the marker initramfs,
whose ramdisk is padded with an incompressible file to ``--ramdisk-mb``.
Installs its Debian packages like the boot tests (tests/boot/assets.py).
"""

import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from oslo_config import cfg  # noqa: E402

from ironic_multiarch import conf as conf_mod  # noqa: E402
from ironic_multiarch.conf import loading  # noqa: E402
from ironic_multiarch import plan as plan_mod  # noqa: E402
from ironic_multiarch.profiles import loader as profile_loader  # noqa: E402
from ironic_multiarch import tree  # noqa: E402
from tests.boot import conftest as lab  # noqa: E402
from tests.boot import harness  # noqa: E402

UUID = '0b6c2a8e-7d1f-4c3a-9e5b-1f2d3c4b5a69'
MAC = '52:54:00:be:00:01'
GRUB = {'aarch64': 'grubaa64.efi', 'x86_64': 'grubx64.efi'}


def settings(arch, grub_http, http_url):
    """Planner settings as the conductor would build them."""
    profiles = {name: profile_loader.get(name)
                for name in ('x86_64', 'aarch64', 'ppc64le')}
    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf, sorted(profiles))
    conf([], project='ironic-multiarch-bench', default_config_files=[])
    conf.set_override('enabled_architectures', [arch], group='multiarch')
    conf.set_override('menu_timeout', 0, group='multiarch')
    conf.set_override('grub_http_delivery', grub_http, group='multiarch')
    group = 'multiarch_%s' % arch
    conf.set_override('deploy_kernel', 'file:///kernel', group=group)
    conf.set_override('deploy_ramdisk', 'file:///ramdisk', group=group)
    return loading.build_settings(conf, profiles, tftp_server=lab.GUEST_HOST,
                                  http_url=http_url), profiles


def plan(arch, grub_http, http_url):
    s, profiles = settings(arch, grub_http, http_url)
    facts = plan_mod.NodeFacts(
        uuid=UUID, cpu_arch=arch, boot_mode='uefi',
        ports=(plan_mod.Port(MAC),), ipxe=False,
        extra_kernel_params=('ipa-api-url=http://%s:6385' % lab.GUEST_HOST,),
        name='bench-%s' % arch)
    return plan_mod.plan(facts, s, profiles)


def place(roots, bp, kernel, ramdisk, loader):
    """Put loader, kernel and ramdisk where the plan says; write the plan."""
    for src, root, rel in ((loader, 'tftp', bp.bootfile),
                           (kernel, bp.image_root, bp.kernel_path),
                           (ramdisk, bp.image_root, bp.ramdisk_path)):
        dest = os.path.join(roots[root], rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.lexists(dest):
            os.unlink(dest)
        os.symlink(src, dest)
    tree.write_plan(roots, bp)


def run_one(assets, arch, grub_http, images, port, workdir):
    roots = {name: os.path.join(workdir, name) for name in ('tftp', 'http')}
    for d in roots.values():
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    bp = plan(arch, grub_http, 'http://%s:%d' % (lab.GUEST_HOST, port))
    place(roots, bp, *images)
    with lab.HttpRoot(roots['http'], port=port):
        result = harness.boot(assets, arch, 'uefi', roots['tftp'],
                              bp.bootfile, MAC, timeout=300,
                              log_path=os.path.join(
                                  workdir, 'serial-%s.log' % (
                                      'http' if grub_http else 'tftp')))
    assert bp.kernel_params.value in result.cmdline, result.cmdline
    ref = bp.config_text.split('initrd ', 1)[1].split()[0]
    return result.elapsed, ref


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--arch', default='aarch64', choices=sorted(GRUB))
    parser.add_argument('--ramdisk-mb', type=int, default=120)
    parser.add_argument('--runs', type=int, default=1)
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory (serial logs)')
    args = parser.parse_args(argv)
    assets = harness.provision()
    workdir = tempfile.mkdtemp(prefix='multiarch-grub-http-')
    try:
        kernel = assets.kernels[args.arch]
        ramdisk = harness.build_marker_initramfs(
            assets, args.arch, os.path.join(workdir, 'ramdisk.gz'),
            pad_bytes=args.ramdisk_mb << 20)
        loader = harness.build_grub_efi(assets, args.arch,
                                        os.path.join(workdir, GRUB[args.arch]))
        port = lab.standalone.free_port()
        print('%s UEFI GRUB, kernel %.1f MB, ramdisk %.1f MB, HTTP port %d'
              % (args.arch, os.path.getsize(kernel) / 2**20,
                 os.path.getsize(ramdisk) / 2**20, port), flush=True)
        times = {'tftp': [], 'http': []}
        for _ in range(args.runs):
            for name, grub_http in (('tftp', False), ('http', True)):
                elapsed, ref = run_one(assets, args.arch, grub_http,
                                       (kernel, ramdisk, loader), port,
                                       workdir)
                times[name].append(elapsed)
                print('  %-4s  %6.1f s to marker   (initrd %s)'
                      % (name, elapsed, ref), flush=True)
        tftp, http = (min(times[n]) for n in ('tftp', 'http'))
        print('best: tftp %.1f s, http %.1f s, ratio tftp/http %.2f'
              % (tftp, http, tftp / http))
    finally:
        if args.keep:
            print('kept', workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
